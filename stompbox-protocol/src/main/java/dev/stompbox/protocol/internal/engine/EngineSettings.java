package dev.stompbox.protocol.internal.engine;

import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.ParserLimits;
import dev.stompbox.protocol.commands.ConnectOptions;
import dev.stompbox.protocol.connection.ConnectionConfig;
import dev.stompbox.protocol.failover.FailoverUri;
import dev.stompbox.protocol.metrics.StompMetrics;

import java.time.Duration;
import java.util.Objects;

/**
 * The connection settings the engine applies, the same for both clients; each client builds
 * them from its configuration.
 *
 * @param connect             the CONNECT frame's options (login, passcode, host, heart-beat, headers)
 * @param maxPendingWriteBytes bytes handed out to write and not yet written, beyond which a SEND is refused
 */
public record EngineSettings(FailoverUri failoverUri, StompVersion version, ConnectOptions connect, double graceFactor,
                             Duration connectTimeout, Duration connectedTimeout, Duration receiptTimeout,
                             Duration disconnectTimeout, Duration writeTimeout, ParserLimits parserLimits,
                             boolean autoReconnect, boolean atLeastOnce, int maxUnreceipted, long maxUnreceiptedBytes,
                             long maxPendingWriteBytes, StompMetrics metrics) {
    public EngineSettings {
        Objects.requireNonNull(failoverUri, "failoverUri");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(parserLimits, "parserLimits");
        Objects.requireNonNull(metrics, "metrics");
    }

    /** The settings of a client's configuration. */
    public static EngineSettings from(ConnectionConfig c) {
        ConnectOptions connect = ConnectOptions.builder().host(c.virtualHost()).login(c.login()).passcode(c.passcode())
                .heartBeat(c.heartBeat()).headers(c.connectHeaders()).build();
        return new EngineSettings(c.failoverUri(), c.version(), connect, c.graceFactor(), c.connectTimeout(),
                c.connectedTimeout(), c.receiptTimeout(), c.disconnectTimeout(), c.writeTimeout(), c.parserLimits(),
                c.autoReconnect(), c.atLeastOnce(), c.maxUnreceipted(), c.maxUnreceiptedBytes(), c.maxPendingWriteBytes(),
                c.metrics());
    }
}
