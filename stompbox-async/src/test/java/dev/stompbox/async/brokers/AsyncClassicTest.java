package dev.stompbox.async.brokers;

import dev.stompbox.client.brokers.EmbeddedClassic;
import dev.stompbox.client.brokers.TestBroker;

/** The contract on embedded ActiveMQ Classic, asynchronous client. */
class AsyncClassicTest extends AsyncBrokerContract {
    @Override
    protected TestBroker startBroker() {
        return new EmbeddedClassic();
    }
}
