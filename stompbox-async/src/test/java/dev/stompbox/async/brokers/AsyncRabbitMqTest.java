package dev.stompbox.async.brokers;

import dev.stompbox.fixtures.*;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.stompbox.fixtures.ExternalRabbitMq;
import dev.stompbox.fixtures.TestBroker;

/** The contract on RabbitMQ (started by scripts/rabbitmq.sh), asynchronous client. */
class AsyncRabbitMqTest extends AsyncBrokerContract {
    @RegisterExtension
    static final BrokerExtension BROKER = new RabbitMqExtension();
}
