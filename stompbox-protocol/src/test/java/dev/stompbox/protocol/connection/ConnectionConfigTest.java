package dev.stompbox.protocol.connection;

import dev.stompbox.protocol.AckMode;
import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.ParserLimits;
import dev.stompbox.protocol.commands.SubscriptionToken;
import dev.stompbox.protocol.failover.BrokerAddress;
import dev.stompbox.protocol.internal.engine.EngineSettings;
import dev.stompbox.protocol.metrics.StompMetrics;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shared settings: defaults, every setter, validation, the copy a builder makes, and what the engine gets. */
class ConnectionConfigTest {
    /** A client's configuration as the clients make theirs: one own setting on top of the shared ones. */
    static final class Config extends ConnectionConfig {
        final int own;

        Config(Builder b) {
            super(b);
            own = b.own;
        }

        Builder toBuilder() {
            return new Builder(this);
        }

        static final class Builder extends ConnectionConfig.Builder<Builder> {
            int own = 7;

            Builder(String uri) {
                super(uri);
            }

            Builder(Config from) {
                super(from);
                own = from.own;
            }

            @Override
            protected Builder self() {
                return this;
            }

            Builder own(int n) {
                own = atLeastOne(n, "own");
                return this;
            }

            Config build() {
                return new Config(this);
            }
        }
    }

    @Test
    @DisplayName("defaults: those the README's table lists")
    void defaults() {
        Config c = new Config.Builder("tcp://localhost:61613").build();
        assertThat(c.uri()).isEqualTo("tcp://localhost:61613");
        assertThat(c.failoverUri().failover()).isFalse();
        assertThat(c.login()).isNull();
        assertThat(c.passcode()).isNull();
        assertThat(c.virtualHost()).isEqualTo("/");
        assertThat(c.version()).isEqualTo(StompVersion.V1_2);
        assertThat(c.heartBeat()).isEqualTo(new HeartBeat(10_000, 10_000));
        assertThat(c.graceFactor()).isEqualTo(2.0);
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.connectedTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.connectDeadline()).isEqualTo(Duration.ofSeconds(60));
        assertThat(ConnectionConfig.bound(c.connectDeadline())).isEqualTo(Duration.ofSeconds(60));
        assertThat(ConnectionConfig.bound(ConnectionConfig.FOREVER)).as("forever: no bound").isNull();
        assertThat(new Config.Builder("tcp://x:1").connectDeadline(ConnectionConfig.FOREVER).build().toBuilder().build()
                .connectDeadline()).isEqualTo(ConnectionConfig.FOREVER);
        assertThat(c.receiptTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.disconnectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.writeTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.maxPendingWriteBytes()).isEqualTo(4L << 20);
        assertThat(c.parserLimits()).isEqualTo(ParserLimits.defaults());
        assertThat(c.sslContext()).isNull();
        assertThat(c.hostnameVerification()).isTrue();
        assertThat(c.autoReconnect()).isFalse();
        assertThat(c.atLeastOnce()).isFalse();
        assertThat(c.maxUnreceipted()).isEqualTo(1000);
        assertThat(c.maxUnreceiptedBytes()).isEqualTo(64L << 20);
        assertThat(c.connectHeaders()).isEmpty();
        assertThat(c.listener()).isSameAs(ConnectionListener.NONE);
        assertThat(c.metrics()).isSameAs(StompMetrics.NONE);
    }

    @Test
    @DisplayName("every setter sets, in any order with the client's own; toBuilder() copies all of it")
    void settersAndCopy() throws Exception {
        ConnectionListener listener = new ConnectionListener() {
        };
        StompMetrics metrics = new StompMetrics() {
        };
        SSLContext ssl = SSLContext.getDefault();
        Config c = new Config.Builder("failover:(tcp://a:1,tcp://b:2)").own(3).login("guest").passcode("secret")
                .virtualHost("vh").version(StompVersion.V1_1).heartBeat(new HeartBeat(1, 2)).graceFactor(3.5)
                .connectTimeout(Duration.ofSeconds(1)).connectedTimeout(Duration.ofSeconds(2))
                .receiptTimeout(Duration.ofSeconds(3)).disconnectTimeout(Duration.ofSeconds(4)).writeTimeout(Duration.ofSeconds(5))
                .maxPendingWriteBytes(1024).parserLimits(ParserLimits.defaults().withMaxFrameSize(4096)).sslContext(ssl)
                .hostnameVerification(false).autoReconnect(true).atLeastOnce(true).maxUnreceipted(9).maxUnreceiptedBytes(2048)
                .connectHeader("client-id", "x").listener(listener).metrics(metrics).build();
        for (Config x : List.of(c, c.toBuilder().build())) {
            assertThat(x.own).isEqualTo(3);
            assertThat(x.failoverUri().failover()).isTrue();
            assertThat(x.login()).isEqualTo("guest");
            assertThat(x.passcode()).isEqualTo("secret");
            assertThat(x.virtualHost()).isEqualTo("vh");
            assertThat(x.version()).isEqualTo(StompVersion.V1_1);
            assertThat(x.heartBeat()).isEqualTo(new HeartBeat(1, 2));
            assertThat(x.graceFactor()).isEqualTo(3.5);
            assertThat(List.of(x.connectTimeout(), x.connectedTimeout(), x.receiptTimeout(), x.disconnectTimeout(), x.writeTimeout()))
                    .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(4),
                            Duration.ofSeconds(5));
            assertThat(x.maxPendingWriteBytes()).isEqualTo(1024);
            assertThat(x.parserLimits().maxFrameSize()).isEqualTo(4096);
            assertThat(x.sslContext()).isSameAs(ssl);
            assertThat(x.hostnameVerification()).isFalse();
            assertThat(x.autoReconnect()).isTrue();
            assertThat(x.atLeastOnce()).isTrue();
            assertThat(x.maxUnreceipted()).isEqualTo(9);
            assertThat(x.maxUnreceiptedBytes()).isEqualTo(2048);
            assertThat(x.connectHeaders()).isEqualTo(Map.of("client-id", "x"));
            assertThat(x.listener()).isSameAs(listener);
            assertThat(x.metrics()).isSameAs(metrics);
        }
        assertThat(c.toString()).contains("passcode=***").doesNotContain("secret").startsWith("Config[");
        assertThat(c.toBuilder().receiptTimeout(Duration.ofMinutes(1)).build().receiptTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.receiptTimeout()).as("the original is untouched").isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    @DisplayName("bad values are refused with the setting's name; a bad URI when building")
    void validation() {
        Config.Builder b = new Config.Builder("tcp://localhost:61613");
        assertThatThrownBy(() -> b.graceFactor(0.5)).hasMessageContaining("graceFactor");
        assertThatThrownBy(() -> b.graceFactor(Double.NaN)).hasMessageContaining("graceFactor");
        assertThatThrownBy(() -> b.connectTimeout(Duration.ZERO)).hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> b.connectedTimeout(Duration.ofSeconds(-1))).hasMessageContaining("connectedTimeout");
        assertThatThrownBy(() -> b.connectDeadline(Duration.ZERO)).hasMessageContaining("connectDeadline");
        assertThatThrownBy(() -> b.receiptTimeout(Duration.ZERO)).hasMessageContaining("receiptTimeout");
        assertThatThrownBy(() -> b.disconnectTimeout(Duration.ZERO)).hasMessageContaining("disconnectTimeout");
        assertThatThrownBy(() -> b.writeTimeout(Duration.ZERO)).hasMessageContaining("writeTimeout");
        assertThatThrownBy(() -> b.maxPendingWriteBytes(0)).hasMessageContaining("maxPendingWriteBytes");
        assertThatThrownBy(() -> b.maxUnreceipted(0)).hasMessageContaining("maxUnreceipted");
        assertThatThrownBy(() -> b.maxUnreceiptedBytes(1023)).hasMessageContaining("maxUnreceiptedBytes");
        assertThatThrownBy(() -> b.own(0)).hasMessageContaining("own must be at least 1");
        assertThatThrownBy(() -> b.version(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.listener(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Config.Builder("nope://x").build()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("the engine's settings are the configuration's, the CONNECT options included")
    void engineSettings() {
        Config c = new Config.Builder("tcp://localhost:61613").login("u").passcode("p").virtualHost("vh")
                .heartBeat(new HeartBeat(5, 6)).connectHeader("client-id", "c").atLeastOnce(true).maxUnreceipted(3).build();
        EngineSettings s = EngineSettings.from(c);
        assertThat(s.connect().login()).isEqualTo("u");
        assertThat(s.connect().passcode()).isEqualTo("p");
        assertThat(s.connect().host()).isEqualTo("vh");
        assertThat(s.connect().heartBeat()).isEqualTo(new HeartBeat(5, 6));
        assertThat(s.connect().headers()).anyMatch(h -> h.name().equals("client-id") && h.value().equals("c"));
        assertThat(s.atLeastOnce()).isTrue();
        assertThat(s.maxUnreceipted()).isEqualTo(3);
        assertThat(s.maxPendingWriteBytes()).isEqualTo(c.maxPendingWriteBytes());
    }

    @Test
    @DisplayName("handles: id, destination, headers and ack mode from the SUBSCRIBE; a transaction's id and connection")
    void handles() {
        SubscriptionHandle s = new SubscriptionHandle(SubscriptionToken.ofId("sub-1"), "/queue/a",
                Map.of("id", "sub-1", "ack", "client-individual")) {
        };
        assertThat(s.id()).isEqualTo("sub-1");
        assertThat(s.destination()).isEqualTo("/queue/a");
        assertThat(s.headers()).containsEntry("ack", "client-individual");
        assertThat(s.ackMode()).isEqualTo(AckMode.CLIENT_INDIVIDUAL);
        assertThat(s.token()).isEqualTo(SubscriptionToken.ofId("sub-1"));
        TransactionHandle t = new TransactionHandle("tx-1", 4) {
        };
        assertThat(t.id()).isEqualTo("tx-1");
        assertThat(t.epoch()).isEqualTo(4);
        assertThat(t.toString()).contains("tx-1");
        ReconnectReport r = new ReconnectReport(BrokerAddress.tcp("localhost", 61613), List.of("sub-1"),
                List.of(), List.of("r-1"), List.of(), 2, new IllegalStateException("gone"));
        assertThat(r.replayedSubscriptions()).containsExactly("sub-1");
        assertThat(r.discardedMessages()).isEqualTo(2);
    }
}
