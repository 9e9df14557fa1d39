package dev.stompbox.async;

import dev.stompbox.protocol.failover.BrokerAddress;

import java.util.List;

/**
 * Told what happens to an {@link AsyncStompClient}'s connection, on the client's event loop: keep
 * it short and never block in it. All methods have empty defaults.
 *
 * <pre>{@code
 * AsyncClientConfig.builder(uri).autoReconnect(true).listener(new AsyncConnectionListener() {
 *     public void reconnected(BrokerAddress broker, List<String> replayed, List<String> receipts) {
 *         log.info("back on {}, replayed {}", broker, replayed);
 *     }
 * }).build();
 * }</pre>
 */
public interface AsyncConnectionListener {
    default void connected(BrokerAddress broker) {
    }

    default void connectionLost(Throwable cause) {
    }

    /**
     * Connected again after a loss.
     *
     * @param replayedSubscriptions ids of the subscriptions made again
     * @param outstandingReceipts   receipt ids that failed with the lost connection
     */
    default void reconnected(BrokerAddress broker, List<String> replayedSubscriptions, List<String> outstandingReceipts) {
    }

    /**
     * Connected again after a loss, with at-least-once publishing's part of it; by default calls
     * {@link #reconnected(BrokerAddress, List, List)}.
     *
     * @param replayedSubscriptions ids of the subscriptions made again
     * @param outstandingReceipts   receipt ids that failed with the lost connection
     * @param resentReceipts        receipt ids of the SENDs written again on the new connection, in
     *                              order (their futures did not fail)
     */
    default void reconnected(BrokerAddress broker, List<String> replayedSubscriptions, List<String> outstandingReceipts,
                             List<String> resentReceipts) {
        reconnected(broker, replayedSubscriptions, outstandingReceipts);
    }

    default void reconnectFailed(Throwable cause) {
    }
}
