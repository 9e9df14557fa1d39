package dev.stompbox.async.brokers;

import dev.stompbox.fixtures.*;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.stompbox.fixtures.EmbeddedClassic;
import dev.stompbox.fixtures.TestBroker;

/** The contract on embedded ActiveMQ Classic, asynchronous client. */
class AsyncClassicTest extends AsyncBrokerContract {
    @RegisterExtension
    static final BrokerExtension BROKER = new ClassicExtension();
}
