package dev.stompbox.async.brokers;

import dev.stompbox.client.brokers.EmbeddedArtemis;
import dev.stompbox.client.brokers.TestBroker;

/** The contract on embedded Artemis, asynchronous client. */
class AsyncArtemisTest extends AsyncBrokerContract {
    @Override
    protected TestBroker startBroker() {
        return new EmbeddedArtemis(2000);
    }

    @Override
    protected long idleMillis() {
        return 3500;
    }
}
