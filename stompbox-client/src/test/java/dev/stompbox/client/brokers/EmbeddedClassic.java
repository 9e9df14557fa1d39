package dev.stompbox.client.brokers;

import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.TransportConnector;

/** ActiveMQ Classic in the test JVM: STOMP on loopback, no persistence, no JMX. */
public final class EmbeddedClassic implements TestBroker {
    private final BrokerService broker = new BrokerService();
    private final int port;

    public EmbeddedClassic() {
        try {
            broker.setBrokerName("stompbox-classic-" + System.nanoTime());
            broker.setPersistent(false);
            broker.setUseJmx(false);
            broker.setUseShutdownHook(false);
            broker.setAdvisorySupport(false);
            TransportConnector connector = broker.addConnector("stomp://127.0.0.1:0");
            broker.start();
            broker.waitUntilStarted();
            port = connector.getConnectUri().getPort();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start embedded ActiveMQ Classic", e);
        }
    }

    @Override
    public String name() {
        return "Classic";
    }

    @Override
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    /** Classic treats a STOMP NACK as a poison ack: the message goes to ActiveMQ.DLQ, not back to the queue. */
    @Override
    public boolean redeliversOnNack() {
        return false;
    }

    @Override
    public void close() {
        try {
            broker.stop();
            broker.waitUntilStopped();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop embedded ActiveMQ Classic", e);
        }
    }
}
