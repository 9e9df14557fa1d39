/**
 * The sans-I/O STOMP core: frames, the incremental parser and the encoder, the stateless commands,
 * the session state machine and the failover schedule. No dependencies beyond {@code java.base}.
 * {@code dev.stompbox.protocol.internal} is not exported.
 */
module dev.stompbox.protocol {
    exports dev.stompbox.protocol;
    exports dev.stompbox.protocol.codec;
    exports dev.stompbox.protocol.commands;
    exports dev.stompbox.protocol.connection;
    exports dev.stompbox.protocol.failover;
    exports dev.stompbox.protocol.interceptor;
    exports dev.stompbox.protocol.metrics;
    exports dev.stompbox.protocol.session;
    // The connection engine both clients drive: shaped for them and changed with them, so not API.
    exports dev.stompbox.protocol.internal.engine to dev.stompbox.client, dev.stompbox.async;
}
