/** Socket handling of the blocking client. Not API: may change in any release. */
package dev.stompbox.client.internal;
