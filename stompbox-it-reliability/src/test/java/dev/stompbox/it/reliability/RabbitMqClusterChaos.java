package dev.stompbox.it.reliability;

import dev.stompbox.fixtures.RabbitMqCluster;

import java.util.Map;

/**
 * The chaos test on the three-node RabbitMQ cluster: the node the client is on is killed with
 * SIGKILL and started again; the test's queue is a quorum queue, replicated on every node.
 */
final class RabbitMqClusterChaos implements ChaosTarget {
    private final RabbitMqCluster cluster;

    RabbitMqClusterChaos(RabbitMqCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public String failoverUri() {
        return cluster.failoverUri(FAILOVER_OPTIONS);
    }

    @Override
    public Map<String, String> destinationHeaders() {
        return RabbitMqCluster.QUORUM;
    }

    @Override
    public void start() {
        // Started by scripts/rabbitmq.sh, outside the build; a node a previous test left down is started again.
        stop();
    }

    @Override
    public void crashAndRecover(int connectedPort, long downMillis) throws InterruptedException {
        int node = cluster.nodeOf(connectedPort);
        cluster.kill(node);
        Thread.sleep(downMillis);
        cluster.start(node);
    }

    @Override
    public void stop() {
        for (int n = 1; n <= RabbitMqCluster.NODES; n++) {
            if (!cluster.serving(n)) {
                cluster.start(n);
            }
        }
    }
}
