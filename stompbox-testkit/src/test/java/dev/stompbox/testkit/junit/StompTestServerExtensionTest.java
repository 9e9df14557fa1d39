package dev.stompbox.testkit.junit;

import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.StompEncoder;
import dev.stompbox.protocol.commands.Commands;
import dev.stompbox.protocol.commands.ConnectOptions;
import dev.stompbox.testkit.StompTestServer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

class StompTestServerExtensionTest {
    static final List<StompTestServer> SEEN = new ArrayList<>();

    /** Run only through EngineTestKit below (static nested classes are not picked up on their own). */
    @ExtendWith(StompTestServerExtension.class)
    static class Cases {
        StompTestServer field;

        @Test
        void fieldAndParameter(StompTestServer parameter) throws Exception {
            SEEN.add(field);
            SEEN.add(parameter);
            try (Socket s = new Socket("127.0.0.1", field.port()); Socket t = new Socket("127.0.0.1", parameter.port())) {
                assertThat(field.awaitConnection(Duration.ofSeconds(5))).isNotNull();
            }
        }

        @Test
        void failsAfterAConnect(StompTestServer server) throws Exception {
            try (Socket s = new Socket("127.0.0.1", server.port()); OutputStream out = s.getOutputStream()) {
                out.write(StompEncoder.of(StompVersion.V1_2).encode(Commands.connect(
                        ConnectOptions.builder().login("alice").passcode("hunter2").build())));
                out.flush();
                server.awaitConnection(Duration.ofSeconds(5)).awaitSent(StompCommand.CONNECTED, Duration.ofSeconds(5));
            }
            throw new AssertionError("deliberate failure");
        }

        @Test
        void skipsAfterAConnect(StompTestServer server) throws Exception {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                server.awaitConnection(Duration.ofSeconds(5));
            }
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "deliberately skipped");
        }

        @Nested
        class Inner {
            @Test
            void outerFieldInjected() {
                SEEN.add(field);
                assertThat(field).isNotNull();
            }
        }
    }

    @Test
    void injectsAFreshStartedServerIntoFieldsAndParametersAndClosesItAfter() {
        SEEN.clear();
        EngineTestKit.engine("junit-jupiter").selectors(selectMethod(Cases.class, "fieldAndParameter", StompTestServer.class.getName()))
                .execute().testEvents().assertStatistics(stats -> stats.succeeded(1).failed(0));
        assertThat(SEEN).hasSize(2).doesNotContainNull().doesNotHaveDuplicates();
        for (StompTestServer s : SEEN) {
            assertThatThrownBy(() -> new Socket("127.0.0.1", s.port()).close()).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void injectsFieldsOfEnclosingInstancesForNestedTests() {
        SEEN.clear();
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(Cases.Inner.class))
                .execute().testEvents().assertStatistics(stats -> stats.succeeded(1));
        assertThat(SEEN).hasSize(1).doesNotContainNull();
    }

    @Test
    void printsTheFrameTraceWithPasscodesMaskedWhenATestFails() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            EngineTestKit.engine("junit-jupiter").selectors(selectMethod(Cases.class, "failsAfterAConnect", StompTestServer.class.getName()))
                    .execute().testEvents().assertStatistics(stats -> stats.failed(1));
        } finally {
            System.setErr(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("failsAfterAConnect").contains("<- CONNECT").contains("passcode:***").contains("-> CONNECTED")
                .doesNotContain("hunter2");
    }

    @Test
    void printsNothingForASkippedTest() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            EngineTestKit.engine("junit-jupiter").selectors(selectMethod(Cases.class, "skipsAfterAConnect", StompTestServer.class.getName()))
                    .execute().testEvents().assertStatistics(stats -> stats.aborted(1).failed(0));
        } finally {
            System.setErr(original);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("skipsAfterAConnect");
    }
}
