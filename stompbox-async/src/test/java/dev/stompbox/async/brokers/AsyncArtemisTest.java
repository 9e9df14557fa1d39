package dev.stompbox.async.brokers;

import dev.stompbox.fixtures.*;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.stompbox.fixtures.EmbeddedArtemis;
import dev.stompbox.fixtures.TestBroker;

/** The contract on embedded Artemis, asynchronous client. */
class AsyncArtemisTest extends AsyncBrokerContract {
    @RegisterExtension
    static final BrokerExtension BROKER = new ArtemisExtension().idleTimeout(5000);

    @Override
    protected long idleMillis() {
        return 6500;
    }
}
