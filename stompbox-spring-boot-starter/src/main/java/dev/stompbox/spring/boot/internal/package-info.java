/** Not API: the starter's own plumbing. */
package dev.stompbox.spring.boot.internal;
