package dev.stompbox.client.brokers;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.stompbox.fixtures.*;

/**
 * The contract on embedded ActiveMQ Artemis, with a 5 s idle timeout: short enough that a heart-beat test idles past
 * it, long enough for a STOMP 1.0 session (which cannot heart-beat) to pass a 1 MiB body on a loaded machine (2 s
 * closed one in CI).
 */
class ArtemisTest extends BlockingBrokerContract {
    @RegisterExtension
    static final BrokerExtension BROKER = new ArtemisExtension().idleTimeout(5000);

    @Override
    protected long idleMillis() {
        return 6500;
    }
}
