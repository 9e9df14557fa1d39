/** Not API: how listener methods are found, bound and invoked. */
package dev.stompbox.spring.listener.internal;
