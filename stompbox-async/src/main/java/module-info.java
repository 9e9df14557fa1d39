/**
 * The asynchronous STOMP client on Netty: TCP, TLS and WebSocket. Logs through the SLF4J API.
 * {@code io.netty.handler} is read transitively because a Netty {@code SslContext} may be configured.
 */
module dev.stompbox.async {
    requires transitive dev.stompbox.protocol;
    requires transitive io.netty.handler;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.http;
    requires io.netty.common;
    requires transitive io.netty.transport;
    requires org.slf4j;

    exports dev.stompbox.async;
}
