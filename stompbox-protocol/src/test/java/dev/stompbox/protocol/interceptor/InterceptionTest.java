package dev.stompbox.protocol.interceptor;

import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.internal.engine.Interception;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How both clients apply an interceptor to a SEND frame they were handed, and to a MESSAGE a receive returns. */
class InterceptionTest {
    private final List<String> heard = new ArrayList<>();

    private final StompInterceptor stamping = new StompInterceptor() {
        @Override
        public SendScope beforeSend(String destination, Map<String, String> headers) {
            heard.add("send " + destination + " saw " + headers.get("kind"));
            headers.put("trace", "t-1");
            headers.put("kind", "changed");
            return failure -> heard.add("sent");
        }

        @Override
        public MessageScope beforeMessage(StompFrame message, Delivery delivery) {
            heard.add(delivery + " " + message.bodyAsString());
            return new MessageScope() {
                @Override
                public void close() {
                    heard.add("close");
                }

                @Override
                public void handled(Throwable failure) {
                    heard.add("handled " + failure);
                }
            };
        }
    };

    @Test
    @DisplayName("a SEND frame: the interceptor sees its headers, and what it adds or changes is set on the frame; the rest is untouched")
    void sendFrame() {
        StompFrame frame = StompFrame.builder(StompCommand.SEND).header("destination", "/queue/a").header("kind", "original")
                .header("keep", "me").body("x".getBytes()).build();
        Interception.Send send = Interception.beforeSend(stamping, frame);
        assertThat(send.frame().header("trace")).isEqualTo("t-1");
        assertThat(send.frame().header("kind")).isEqualTo("changed");
        assertThat(send.frame().header("keep")).isEqualTo("me");
        assertThat(send.frame().bodyAsString()).isEqualTo("x");
        assertThat(Interception.beforeSend(StompInterceptor.NONE, frame).frame()).as("nothing changed: the same frame").isSameAs(frame);
        send.scope().sent(null);
        assertThat(heard).containsExactly("send /queue/a saw original", "sent");
    }

    @Test
    @DisplayName("a received MESSAGE: its scope is opened, closed and ended at once, in that order; none for no interceptor or no message")
    void received() {
        StompFrame message = StompFrame.builder(StompCommand.MESSAGE).header("destination", "/queue/a").body("m".getBytes()).build();
        assertThat(Interception.received(stamping, message)).isSameAs(message);
        assertThat(heard).containsExactly("RECEIVE m", "close", "handled null");
        assertThat(Interception.received(stamping, null)).isNull();
        assertThat(Interception.received(StompInterceptor.NONE, message)).isSameAs(message);
        assertThat(heard).hasSize(3);
    }

    @Test
    @DisplayName("the defaults do nothing and hear nothing")
    void defaults() {
        StompInterceptor none = StompInterceptor.NONE;
        assertThat(none.beforeSend("/queue/a", new java.util.HashMap<>())).isSameAs(SendScope.NONE);
        MessageScope scope = none.beforeMessage(StompFrame.of(StompCommand.MESSAGE), StompInterceptor.Delivery.HANDLER);
        assertThat(scope).isSameAs(MessageScope.NONE);
        scope.close();
        scope.handled(new IllegalStateException("ignored"));
        SendScope.NONE.sent(null);
    }
}
