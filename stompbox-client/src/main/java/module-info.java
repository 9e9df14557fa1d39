/**
 * The blocking STOMP client over sockets and TLS. Logs through the SLF4J API;
 * {@code dev.stompbox.client.internal} is not exported.
 */
module dev.stompbox.client {
    requires transitive dev.stompbox.protocol;
    requires org.slf4j;

    exports dev.stompbox.client;
}
