package dev.stompbox.it.reliability;

import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

import java.nio.file.Path;

/**
 * One ActiveMQ Artemis instance with a persistent NIO journal in {@code dir}, on {@code port}, that
 * can be crashed ({@code fail(false)}: sockets closed, nothing flushed on the way out) and started
 * again. Several instances may name the same {@code dir}, one live at a time: that is two brokers
 * taking turns on one shared journal.
 */
final class ChaosArtemis implements ChaosBroker {
    private final int port;
    private final Path dir;
    private EmbeddedActiveMQ embedded;

    ChaosArtemis(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public synchronized void start() {
        if (embedded != null) {
            throw new IllegalStateException("already live on " + port);
        }
        try {
            Configuration config = new ConfigurationImpl()
                    .setPersistenceEnabled(true)
                    .setJournalType(JournalType.NIO)
                    .setSecurityEnabled(false)
                    .setJMXManagementEnabled(false)
                    .setConnectionTtlCheckInterval(100)
                    .addAcceptorConfiguration("stomp", "tcp://127.0.0.1:" + port
                            + "?protocols=STOMP;anycastPrefix=/queue/;multicastPrefix=/topic/;connectionTtl=10000");
            config.setBrokerInstance(dir.toFile());
            EmbeddedActiveMQ e = new EmbeddedActiveMQ();
            e.setConfiguration(config);
            e.start();
            embedded = e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start Artemis on " + port + " with the journal in " + dir, e);
        }
    }

    /** Crashes the broker in this JVM ({@code fail(false)}): connections drop at once, the journal is left as it is. */
    @Override
    public synchronized void kill() {
        if (embedded == null) {
            return;
        }
        try {
            embedded.getActiveMQServer().fail(false);
        } catch (Exception e) {
            throw new IllegalStateException("cannot crash Artemis on " + port, e);
        } finally {
            embedded = null;
        }
    }
}
