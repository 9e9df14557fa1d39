package dev.stompbox.protocol.internal.engine;

import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.connection.ReconnectReport;
import dev.stompbox.protocol.failover.BrokerAddress;
import dev.stompbox.protocol.session.SessionSubscription;

import java.util.ArrayList;
import java.util.List;

/**
 * What a reconnect did and what the lost connection left behind, for the clients' reports:
 * the subscriptions made again (their contexts are the clients' handles), the receipts that failed
 * with the loss (oldest first), the at-least-once SENDs written again (in order), the messages
 * handed out and not acked (acking them now is refused), and why the connection was lost.
 */
public record Reconnection(BrokerAddress broker, List<SessionSubscription> replayed, List<String> failedReceipts,
                           List<String> resentReceipts, List<StompFrame> unacked, Throwable cause) {
    public Reconnection {
        replayed = List.copyOf(replayed);
        failedReceipts = List.copyOf(failedReceipts);
        resentReceipts = List.copyOf(resentReceipts);
        unacked = List.copyOf(unacked);
    }

    /** The report for the listener; {@code discarded}: messages the client held unhanded and dropped with the loss. */
    public ReconnectReport report(int discarded) {
        List<String> ids = new ArrayList<>(replayed.size());
        for (SessionSubscription s : replayed) {
            ids.add(s.token().value());
        }
        return new ReconnectReport(broker, ids, failedReceipts, resentReceipts, unacked, discarded, cause);
    }
}
