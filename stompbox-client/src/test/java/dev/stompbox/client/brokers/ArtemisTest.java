package dev.stompbox.client.brokers;

/** The contract on embedded ActiveMQ Artemis, with a 2 s idle timeout. */
class ArtemisTest extends BlockingBrokerContract {
    @Override
    protected TestBroker startBroker() {
        return new EmbeddedArtemis(2000);
    }

    @Override
    protected long idleMillis() {
        return 3500;
    }
}
