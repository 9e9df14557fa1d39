package dev.stompbox.async.brokers;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.fixtures.BrokerContract;
import dev.stompbox.fixtures.ContractClient;
import dev.stompbox.fixtures.TestBroker;
import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompVersion;

import java.time.Duration;

/** The shared broker contract, run against the asynchronous client. */
abstract class AsyncBrokerContract extends BrokerContract {
    @Override
    protected ContractClient connect(TestBroker broker, StompVersion version, HeartBeat heartBeat) {
        return new AsyncContractClient(AsyncStompClientConfig.builder(broker.uri()).version(version).heartBeat(heartBeat)
                .login("guest").passcode("guest")
                // Unacked messages hold a graceful disconnect only this long before it goes on.
                .disconnectTimeout(Duration.ofSeconds(1))
                .receiptTimeout(TIMEOUT));
    }

    @Override
    protected ContractClient connectResilient(String failoverUri, StompVersion version, boolean atLeastOnce, HeartBeat heartBeat,
                                              Duration connectedTimeout) {
        return new AsyncContractClient(AsyncStompClientConfig.builder(failoverUri).version(version).login("guest").passcode("guest")
                .disconnectTimeout(Duration.ofSeconds(1)).receiptTimeout(TIMEOUT).autoReconnect(true).atLeastOnce(atLeastOnce)
                .heartBeat(heartBeat).connectTimeout(connectedTimeout).connectedTimeout(connectedTimeout));
    }
}
