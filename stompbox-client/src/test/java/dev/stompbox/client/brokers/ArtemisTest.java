package dev.stompbox.client.brokers;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.stompbox.fixtures.*;

/** The contract on embedded ActiveMQ Artemis, with a 2 s idle timeout. */
class ArtemisTest extends BlockingBrokerContract {
    @RegisterExtension
    static final BrokerExtension BROKER = new ArtemisExtension().idleTimeout(2000);

    @Override
    protected long idleMillis() {
        return 3500;
    }
}
