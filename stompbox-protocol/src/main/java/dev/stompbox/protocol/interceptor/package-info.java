/**
 * {@link dev.stompbox.protocol.interceptor.StompInterceptor}: a hook both clients call for every
 * SEND the application makes and every MESSAGE it is handed, for tracing (see
 * {@code stompbox-opentelemetry}), auditing or headers every message must carry.
 */
package dev.stompbox.protocol.interceptor;
