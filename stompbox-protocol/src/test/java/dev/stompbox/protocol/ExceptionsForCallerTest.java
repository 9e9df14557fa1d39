package dev.stompbox.protocol;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** An exception stored by one thread and thrown to another keeps its type and details, gains the thrower's stack. */
class ExceptionsForCallerTest {
    private static StompException storedElsewhere(StompException e) {
        return CompletableFuture.supplyAsync(() -> e).join(); // made on another thread, as a client's reader would
    }

    @Test
    @DisplayName("forCaller(): same type, message and details; the original as cause; the calling thread's stack")
    void forCaller() {
        StompFrame error = StompFrame.builder(StompCommand.ERROR).header("message", "no").build();
        List<StompException> all = List.of(
                new StompException("plain"),
                new StompConnectionException("lost"),
                new StompBrokerException(error),
                new StompConnectTimeoutException(3),
                new StompReceiptTimeoutException("r-1", Duration.ofSeconds(2)),
                new StompProtocolException("bad"),
                new StompFrameException("Invalid command", 7),
                new StompBackpressureException("full"));
        for (StompException original : all) {
            StompException thrown = storedElsewhere(original).forCaller();
            assertThat(thrown).isExactlyInstanceOf(original.getClass()).hasMessage(original.getMessage()).hasCause(original);
            assertThat(thrown.getStackTrace()).anyMatch(el -> el.getMethodName().equals("forCaller")
                    && el.getClassName().equals(ExceptionsForCallerTest.class.getName()));
        }
        assertThat(((StompBrokerException) new StompBrokerException(error).forCaller()).frame()).isSameAs(error);
        assertThat(((StompConnectTimeoutException) new StompConnectTimeoutException(3).forCaller()).attempts()).isEqualTo(3);
        StompReceiptTimeoutException r = new StompReceiptTimeoutException("r-1", Duration.ofSeconds(2)).forCaller();
        assertThat(r.receiptId()).isEqualTo("r-1");
        assertThat(r.timeout()).isEqualTo(Duration.ofSeconds(2));
        StompFrameException f = new StompFrameException("Invalid command", 7).forCaller();
        assertThat(f.reason()).isEqualTo("Invalid command");
        assertThat(f.offset()).isEqualTo(7);
        assertThat(new StompConnectTimeoutException(1)).as("running out of attempts is a connection failure")
                .isInstanceOf(StompConnectionException.class);
    }
}
