package dev.stompbox.protocol.connection;

import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.failover.BrokerAddress;

import java.util.List;

/**
 * What a reconnect did and what the lost connection left behind.
 *
 * <ul>
 *   <li>{@code broker}: where the client is connected now;</li>
 *   <li>{@code replayedSubscriptions}: the ids of the subscriptions made again (same ids, and the
 *       client's handles stay valid);</li>
 *   <li>{@code outstandingReceipts}: receipt ids that were awaited when the connection was lost
 *       and failed with it (a connection exception), oldest first; not those of SUBSCRIBEs, which
 *       the replay asks for again, of UNSUBSCRIBEs, which completed (the subscription went with the
 *       connection), nor those of at-least-once SENDs;</li>
 *   <li>{@code resentReceipts}: with at-least-once publishing, the receipt ids of the SENDs
 *       written again on the new connection, in order (their receipts did not fail);</li>
 *   <li>{@code unackedMessages}: messages handed to the application and not acknowledged; acking
 *       them now is refused, the broker redelivers them;</li>
 *   <li>{@code discardedMessages}: messages needing an ack that the client held and had not
 *       handed out yet, dropped for the broker to redeliver;</li>
 *   <li>{@code cause}: why the connection was lost.</li>
 * </ul>
 *
 * <pre>{@code
 * public void reconnected(ReconnectReport r) {
 *     log.info("reconnected to {} after {}: replayed {}", r.broker(), r.cause().getMessage(), r.replayedSubscriptions());
 * }
 * }</pre>
 */
public record ReconnectReport(BrokerAddress broker, List<String> replayedSubscriptions,
                              List<String> outstandingReceipts, List<String> resentReceipts,
                              List<StompFrame> unackedMessages, int discardedMessages, Throwable cause) {
    public ReconnectReport {
        replayedSubscriptions = List.copyOf(replayedSubscriptions);
        outstandingReceipts = List.copyOf(outstandingReceipts);
        resentReceipts = List.copyOf(resentReceipts);
        unackedMessages = List.copyOf(unackedMessages);
    }
}
