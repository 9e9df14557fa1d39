/** Implementation details shared between packages of this module. Not API: may change in any release. */
package dev.stompbox.protocol.internal;
