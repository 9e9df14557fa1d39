package dev.stompbox.async.brokers;

import dev.stompbox.client.brokers.ExternalRabbitMq;
import dev.stompbox.client.brokers.TestBroker;

/** The contract on RabbitMQ (started by scripts/rabbitmq.sh), asynchronous client. */
class AsyncRabbitMqTest extends AsyncBrokerContract {
    @Override
    protected TestBroker startBroker() {
        return ExternalRabbitMq.runningOrSkip();
    }
}
