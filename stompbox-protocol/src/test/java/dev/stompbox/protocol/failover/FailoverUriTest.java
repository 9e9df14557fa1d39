package dev.stompbox.protocol.failover;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FailoverUriTest {
    @Test
    @DisplayName("a bare broker URI is one broker with a single attempt")
    void bareUri() {
        FailoverUri uri = FailoverUri.parse("tcp://broker:61614");
        assertThat(uri.failover()).isFalse();
        assertThat(uri.brokers()).containsExactly(BrokerAddress.tcp("broker", 61614));
        assertThat(uri.options().maxReconnectAttempts()).isZero();
        assertThat(uri.toString()).isEqualTo("tcp://broker:61614");
    }

    @Test
    @DisplayName("default port 61613; ssl, ws and wss; IPv6 in brackets; ws paths and queries kept")
    void brokers() {
        assertThat(BrokerAddress.parse("tcp://h").port()).isEqualTo(61613);
        assertThat(BrokerAddress.parse("ssl://h").port()).isEqualTo(61613);
        BrokerAddress ssl = BrokerAddress.parse("ssl://[::1]:61614");
        assertThat(ssl.host()).isEqualTo("::1");
        assertThat(ssl.secure()).isTrue();
        assertThat(ssl.uri()).isEqualTo("ssl://[::1]:61614");
        BrokerAddress ws = BrokerAddress.parse("ws://127.0.0.1:15674/ws?x=1");
        assertThat(ws.webSocket()).isTrue();
        assertThat(ws.secure()).isFalse();
        assertThat(ws.path()).isEqualTo("/ws");
        assertThat(ws.query()).isEqualTo("x=1");
        assertThat(ws.toString()).isEqualTo("ws://127.0.0.1:15674/ws?x=1");
        assertThat(BrokerAddress.parse("WSS://h").scheme()).isEqualTo("wss");
    }

    @Test
    @DisplayName("a WebSocket URI without a port means WebSocket's: 80 for ws, 443 for wss (RFC 6455), as in a browser")
    void webSocketDefaultPorts() {
        assertThat(BrokerAddress.parse("ws://app.example.com/stomp").port()).isEqualTo(80);
        assertThat(BrokerAddress.parse("wss://app.example.com/stomp").uri()).isEqualTo("wss://app.example.com:443/stomp");
        assertThat(BrokerAddress.parse("ws://h:61613/").port()).isEqualTo(61613);
    }

    @Test
    @DisplayName("a ':' with no port after it is refused, not read as the default port")
    void colonWithoutPort() {
        assertThatThrownBy(() -> BrokerAddress.parse("tcp://127.0.0.1:")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid broker URI 'tcp://127.0.0.1:': no port after ':'");
        assertThatThrownBy(() -> FailoverUri.parse("failover:(tcp://a:61613,tcp://b:)")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no port after ':'");
    }

    @Test
    @DisplayName("bad broker URIs are refused with the reason")
    void badBrokers() {
        assertThatThrownBy(() -> BrokerAddress.parse("http://h")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scheme must be one of tcp, ssl, ws, wss");
        assertThatThrownBy(() -> BrokerAddress.parse("tcp://")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BrokerAddress.parse("tcp:// bad host")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BrokerAddress.parse("h:61613")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BrokerAddress.tcp("h", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FailoverUri.parse(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("credentials in a URI are refused, and no error message repeats them")
    void credentialsInTheUri() {
        assertThatThrownBy(() -> BrokerAddress.parse("tcp://app:s3cret@broker:61613")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("set login and passcode").hasMessageContaining("tcp://***@broker:61613")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> FailoverUri.parse("failover:(tcp://a:1,ssl://app:s3cret@b:2)?randomize=false"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> BrokerAddress.parse("tcp://app:s3cret@bad host:1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> FailoverUri.parse("failover:(tcp://app:s3cret@b:2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("s3cret");
    }

    @Test
    @DisplayName("failover:uri1,uri2 without parentheses; options after the first '?'")
    void withoutParentheses() {
        FailoverUri uri = FailoverUri.parse("failover:tcp://a:1,tcp://b:2?randomize=false");
        assertThat(uri.brokers()).containsExactly(BrokerAddress.tcp("a", 1), BrokerAddress.tcp("b", 2));
        assertThat(uri.options().randomize()).isFalse();
        assertThat(FailoverUri.parse("failover:tcp://a:1").options()).isEqualTo(FailoverOptions.defaults());
    }

    @Test
    @DisplayName("inside parentheses broker URIs may carry paths and queries with ',' and '?'")
    void brokerQueriesInsideParentheses() {
        FailoverUri uri = FailoverUri.parse("failover:(ws://a:1/ws?x=1,y=2,wss://b/p?q,tcp://c)?maxReconnectAttempts=5");
        assertThat(uri.brokers()).extracting(BrokerAddress::uri)
                .containsExactly("ws://a:1/ws?x=1,y=2", "wss://b:443/p?q", "tcp://c:61613");
        assertThat(uri.options().maxReconnectAttempts()).isEqualTo(5);
    }

    @Test
    @DisplayName("options separated by ',' or '&', with the seed's names, types and defaults")
    void options() {
        FailoverOptions o = FailoverUri.parse("failover:(tcp://a)?initialReconnectDelay=5&maxReconnectDelay=100,"
                + "useExponentialBackOff=FALSE&backOffMultiplier=1.5,maxReconnectAttempts=-1,startupMaxReconnectAttempts=2,"
                + "reconnectDelayJitter=3,randomize=true,priorityBackup=true").options();
        assertThat(o).isEqualTo(new FailoverOptions(5, 100, false, 1.5, -1, 2, 3, true, true));
        assertThat(FailoverOptions.defaults()).isEqualTo(new FailoverOptions(10, 30000, true, 2.0, -1, 0, 0, true, false));
        assertThat(FailoverUri.parse("failover:(tcp://a)").options()).isEqualTo(FailoverOptions.defaults());
    }

    @Test
    @DisplayName("an unknown option or a bad value is an error listing the valid options")
    void badOptions() {
        assertThatThrownBy(() -> FailoverUri.parse("failover:(tcp://a)?retries=3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown failover option 'retries' (valid: " + String.join(", ", FailoverOptions.NAMES) + ")");
        assertThatThrownBy(() -> FailoverUri.parse("failover:(tcp://a)?randomize=maybe")).hasMessageContaining("expected true or false")
                .hasMessageContaining("valid options: initialReconnectDelay");
        assertThatThrownBy(() -> FailoverUri.parse("failover:(tcp://a)?initialReconnectDelay=soon")).hasMessageContaining("expected an integer");
        assertThatThrownBy(() -> FailoverUri.parse("failover:(tcp://a)?backOffMultiplier=NaN")).hasMessageContaining("expected a number");
        assertThatThrownBy(() -> FailoverUri.parse("failover:(tcp://a)?backOffMultiplier=0.5")).hasMessageContaining("backOffMultiplier")
                .hasMessageContaining("valid options");
        assertThatThrownBy(() -> FailoverUri.parse("failover:(tcp://a)?maxReconnectAttempts=-2")).hasMessageContaining("maxReconnectAttempts");
        assertThatThrownBy(() -> FailoverUri.parse("failover:(tcp://a)?randomize")).hasMessageContaining("has no value");
    }

    @Test
    @DisplayName("malformed failover URIs are refused")
    void malformed() {
        assertThatThrownBy(() -> FailoverUri.parse("failover:(tcp://a")).hasMessageContaining("missing ')'");
        assertThatThrownBy(() -> FailoverUri.parse("failover:(tcp://a)x")).hasMessageContaining("expected '?' after ')'");
        assertThatThrownBy(() -> FailoverUri.parse("failover:()")).hasMessageContaining("no broker");
    }
}
