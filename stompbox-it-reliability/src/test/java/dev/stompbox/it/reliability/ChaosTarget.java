package dev.stompbox.it.reliability;

import java.util.Map;

/**
 * What the chaos test crashes while clients work through it: one broker restarting, two brokers
 * taking turns on one journal, a RabbitMQ cluster or an Artemis HA pair.
 */
interface ChaosTarget {
    /** The failover options every chaos client uses: brokers in order, quick retries. */
    String FAILOVER_OPTIONS = "randomize=false,initialReconnectDelay=20,maxReconnectDelay=250";

    /** The URI every client connects with: all nodes, in order. */
    String failoverUri();

    /** Headers every SEND and SUBSCRIBE of the test's queue carries (a RabbitMQ quorum queue needs its type). */
    default Map<String, String> destinationHeaders() {
        return Map.of();
    }

    /** Starts it; returns once clients can connect. */
    void start();

    /**
     * Crashes the node a client is connected to (the one serving {@code connectedPort}), leaves it down
     * for {@code downMillis}, and brings it back; returns once it is back.
     */
    void crashAndRecover(int connectedPort, long downMillis) throws InterruptedException;

    /** Stops whatever the test started. */
    void stop();

    /** A broker, or two taking turns on one journal: the live one is crashed and the other (or the same) started. */
    static ChaosTarget alternating(ChaosBroker a, ChaosBroker b) {
        return new ChaosTarget() {
            private ChaosBroker live = a;

            @Override
            public String failoverUri() {
                return "failover:(" + a.uri() + (b != a ? "," + b.uri() : "") + ")?" + FAILOVER_OPTIONS;
            }

            @Override
            public void start() {
                a.start();
            }

            @Override
            public void crashAndRecover(int connectedPort, long downMillis) throws InterruptedException {
                live.kill();
                Thread.sleep(downMillis);
                live = live == a ? b : a;
                live.start();
            }

            @Override
            public void stop() {
                a.kill();
                b.kill();
            }
        };
    }
}
