package dev.stompbox.client.brokers;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.stompbox.fixtures.*;

import dev.stompbox.client.StompClient;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompVersion;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract on embedded ActiveMQ Classic, and its STOMP 1.2 ack-id quirk. */
class ClassicTest extends BlockingBrokerContract {
    @RegisterExtension
    static final BrokerExtension BROKER = new ClassicExtension();

    @Test
    void ackIdDiffersFromMessageIdAndHoldsEscapedColons() {
        StompClient c = blocking(StompVersion.V1_2);
        String q = queue("quirk");
        subscribe(c, q, "client-individual");
        sendConfirmed(c, q, "m");
        StompFrame m = c.receiveFrame(TIMEOUT);
        // On the wire the ack header carries \c escapes; parsed, it holds real colons, and the ACK
        // must send exactly that value back as id (escaped again on the way out).
        assertThat(m.header("ack")).isNotEqualTo(m.header("message-id")).contains(":");
        c.ack(m, true).await(TIMEOUT);
        c.disconnect();
        StompClient again = blocking(StompVersion.V1_2);
        subscribe(again, q, "client-individual");
        assertThat(again.receiveFrame(java.time.Duration.ofMillis(500))).as("acked, so not redelivered").isNull();
    }
}
