package dev.stompbox.it.reliability;

import dev.stompbox.fixtures.TestBroker;
import org.apache.activemq.artemis.core.config.ClusterConnectionConfiguration;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.ha.ReplicaPolicyConfiguration;
import org.apache.activemq.artemis.core.config.ha.ReplicatedPolicyConfiguration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An ActiveMQ Artemis high-availability pair: a primary and a backup, each in a JVM of its own,
 * with the {@code replication} HA policy (the backup keeps a replica of the primary's journal over
 * a cluster connection) and failback: when the killed primary returns it synchronises from the
 * backup, which then hands the work back and becomes a backup again ({@code check-for-active-server}
 * on the primary, {@code allow-failback} on the backup). A passive backup opens no STOMP port, so a
 * client's failover URI lists both and finds whichever is active.
 *
 * <p>Each node prints its state ({@code state active=… synchronized=…}) when it changes; the pair
 * reads those lines from the node's log to know when a takeover or a failback is complete.
 */
final class ArtemisHaPair {
    private static final long READY_SECONDS = 90;
    /**
     * A backup that could take over: passive, with a synchronised replica. "synchronized=true" alone
     * also matches the backup's state while it is still active after a failback (an active server
     * reports whether its replica, the returning primary, is in sync); it then restarts as a backup and
     * synchronises again, and a primary killed meanwhile has no backup to take over.
     */
    private static final String SYNCHRONISED_BACKUP = "active=false synchronized=true";

    private final Node primary;
    private final Node backup;

    ArtemisHaPair(Path dir) {
        int[] core = {TestBroker.freePort(), TestBroker.freePort()};
        primary = new Node("primary", TestBroker.freePort(), core[0], core[1], dir.resolve("primary"));
        backup = new Node("backup", TestBroker.freePort(), core[1], core[0], dir.resolve("backup"));
    }

    /** {@code failover:(primary,backup)?options}. */
    String failoverUri(String options) {
        return "failover:(tcp://127.0.0.1:" + primary.stompPort + ",tcp://127.0.0.1:" + backup.stompPort + ")?" + options;
    }

    Node primary() {
        return primary;
    }

    Node backup() {
        return backup;
    }

    Node nodeOf(int stompPort) {
        if (primary.stompPort == stompPort) {
            return primary;
        }
        if (backup.stompPort == stompPort) {
            return backup;
        }
        throw new IllegalArgumentException("no node of the pair serves port " + stompPort);
    }

    /** Starts the primary, then the backup; returns once the backup holds a synchronised replica. */
    void start() {
        primary.start();
        primary.await("active=true", true);
        backup.start();
        backup.await(SYNCHRONISED_BACKUP, false);
    }

    /**
     * SIGKILL the active primary and wait until the backup has taken over; then start the primary
     * again and wait until it has failed back and the backup is synchronised again.
     */
    void killPrimaryAndFailBack(long downMillis) throws InterruptedException {
        long t0 = System.nanoTime();
        primary.kill();
        backup.await("active=true", true);
        long takeover = System.nanoTime() - t0;
        Thread.sleep(downMillis);
        long t1 = System.nanoTime();
        primary.start();
        primary.await("active=true", true);
        long failback = System.nanoTime() - t1;
        backup.await(SYNCHRONISED_BACKUP, false);
        System.out.printf("artemis-ha: backup serving %d ms after the primary's SIGKILL; the restarted primary serving again after %d ms, "
                + "the backup synchronised after %d ms%n", TimeUnit.NANOSECONDS.toMillis(takeover), TimeUnit.NANOSECONDS.toMillis(failback),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1));
    }

    void stop() {
        backup.kill();
        primary.kill();
    }

    /** One broker process of the pair. */
    static final class Node {
        final String role;
        final int stompPort;
        private final int corePort;
        private final int peerCorePort;
        private final Path dir;
        private final BrokerJvm jvm;
        private Path log;
        private int runs;

        Node(String role, int stompPort, int corePort, int peerCorePort, Path dir) {
            this.role = role;
            this.stompPort = stompPort;
            this.corePort = corePort;
            this.peerCorePort = peerCorePort;
            this.dir = dir;
            this.jvm = new BrokerJvm("Artemis " + role);
        }

        /** Starts the node's JVM, with a log of its own for this run (its state lines are read from it). */
        synchronized void start() {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            log = dir.resolveSibling(role + "-" + (++runs) + ".log");
            jvm.start(ArtemisHaPair.class, log, role, String.valueOf(stompPort), String.valueOf(corePort),
                    String.valueOf(peerCorePort), dir.toString());
        }

        /** Waits until this run of the node has printed a state line containing {@code state} (and, if asked, serves STOMP). */
        void await(String state, boolean serving) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_SECONDS);
            while (!(lastState().contains(state) && (!serving || TestBroker.accepts(stompPort, 200)))) {
                if (!jvm.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("Artemis " + role + " did not reach '" + state + "' within "
                            + READY_SECONDS + " s (last: " + lastState() + "); see " + log);
                }
                BrokerJvm.pause("Artemis " + role);
            }
        }

        private synchronized String lastState() {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                for (int i = lines.size() - 1; i >= 0; i--) {
                    if (lines.get(i).startsWith("state ")) {
                        return lines.get(i);
                    }
                }
                return "";
            } catch (IOException e) {
                return "";
            }
        }

        void kill() {
            jvm.kill();
        }

        @Override
        public String toString() {
            return role + " (STOMP " + stompPort + ")";
        }
    }

    /**
     * A node's process: {@code primary|backup stompPort corePort peerCorePort dataDir}. Runs until
     * killed, printing {@code state active=… synchronized=…} whenever either changes.
     */
    public static void main(String[] args) throws Exception {
        boolean isPrimary = args[0].equals("primary");
        int stomp = Integer.parseInt(args[1]);
        int core = Integer.parseInt(args[2]);
        int peer = Integer.parseInt(args[3]);
        File dir = new File(args[4]);
        Configuration config = new ConfigurationImpl()
                .setName(args[0])
                .setPersistenceEnabled(true)
                .setJournalType(JournalType.NIO)
                .setSecurityEnabled(false)
                .setJMXManagementEnabled(false)
                .setConnectionTtlCheckInterval(100)
                .setClusterUser("stompbox-ha")
                .setClusterPassword("stompbox-ha-test")
                .addAcceptorConfiguration("stomp", "tcp://127.0.0.1:" + stomp
                        + "?protocols=STOMP;anycastPrefix=/queue/;multicastPrefix=/topic/;connectionTtl=10000")
                .addAcceptorConfiguration("core", "tcp://127.0.0.1:" + core + "?protocols=CORE")
                .addConnectorConfiguration("self", "tcp://127.0.0.1:" + core)
                .addConnectorConfiguration("peer", "tcp://127.0.0.1:" + peer)
                .addClusterConfiguration(new ClusterConnectionConfiguration().setName("pair").setConnectorName("self")
                        .setStaticConnectors(List.of("peer")).setRetryInterval(100).setReconnectAttempts(-1))
                .setHAPolicyConfiguration(isPrimary
                        ? new ReplicatedPolicyConfiguration().setCheckForActiveServer(true).setClusterName("pair")
                        : new ReplicaPolicyConfiguration().setAllowFailBack(true).setRestartBackup(true).setClusterName("pair"));
        config.setBrokerInstance(dir);
        EmbeddedActiveMQ embedded = new EmbeddedActiveMQ();
        embedded.setConfiguration(config);
        embedded.start();
        ActiveMQServer server = embedded.getActiveMQServer();
        String last = "";
        while (true) {
            String state = "state active=" + server.isActive() + " synchronized=" + server.isReplicaSync();
            if (!state.equals(last)) {
                System.out.println(state);
                System.out.flush();
                last = state;
            }
            Thread.sleep(20);
        }
    }
}
