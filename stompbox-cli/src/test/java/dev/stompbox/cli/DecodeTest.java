package dev.stompbox.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.stompbox.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code stompbox decode}: the protocol module's conformance interface, on valid and invalid vectors per version. */
class DecodeTest {
    @Test
    void validFramesOneJsonObjectEach() {
        CliTest.Result r = run("\nSEND\ndestination:/queue/a\nfoo:1\nfoo:2\ncontent-length:3\n\na\0b\0\n\nRECEIPT\nreceipt-id:x\n\n\0", "decode");
        assertThat(r.exit()).isZero();
        assertThat(r.out().split("\n")).containsExactly(
                "{\"command\":\"SEND\",\"headers\":[[\"destination\",\"/queue/a\"],[\"foo\",\"1\"],[\"foo\",\"2\"],[\"content-length\",\"3\"]],\"body\":\"YQBi\"}",
                "{\"command\":\"RECEIPT\",\"headers\":[[\"receipt-id\",\"x\"]],\"body\":\"\"}");
    }

    @Test
    void escapesPerVersion() {
        String wire = "MESSAGE\nsubscription:0\nk:a\\cb\\\\c\n\n\0";
        assertThat(run(wire, "decode").out()).contains("[\"k\",\"a:b\\\\c\"]");
        assertThat(run(wire, "decode", "--version", "1.1").out()).contains("[\"k\",\"a:b\\\\c\"]");
        assertThat(run("MESSAGE\ndestination:/q\nk:a\\cb\n\n\0", "decode", "--version", "1.0").out()).contains("[\"k\",\"a\\\\cb\"]");
        CliTest.Result cr = run("MESSAGE\nsubscription:0\nk:a\\rb\n\n\0", "decode", "--version", "1.1");
        assertThat(cr.exit()).isEqualTo(1);
        assertThat(cr.out()).contains("\"error\":\"Invalid escape: '\\\\r' is not defined in STOMP 1.1\",\"offset\":26");
        assertThat(run("MESSAGE\nsubscription:0\nk:a\\rb\n\n\0", "decode", "--version", "1.2").exit()).isZero();
    }

    @Test
    void commandSetsOfEachVersion() {
        assertThat(run("NACK\nid:1\n\n\0", "decode", "--version", "1.0").out())
                .isEqualTo("{\"error\":\"Invalid command: 'NACK' (not a STOMP 1.0 command)\",\"offset\":0}\n");
        assertThat(run("NACK\nid:1\n\n\0", "decode", "--version", "1.1").exit()).isZero();
    }

    @Test
    void malformedFramesReportTheOffsetOfTheFirstBadByte() {
        CliTest.Result r = run("RECEIPT\nreceipt-id:1\n\n\0SEND\ncontent-length:2\n\nabc\0", "decode");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out().split("\n")).containsExactly(
                "{\"command\":\"RECEIPT\",\"headers\":[[\"receipt-id\",\"1\"]],\"body\":\"\"}",
                "{\"error\":\"Expected NUL after content-length 2 body\",\"offset\":48}");
        assertThat(run("RECEIPT\nreceipt-id:1\n\nbody\0", "decode").out()).contains("Body not allowed on RECEIPT");
        assertThat(run("SEND\nk\n\n\0", "decode").out()).contains("Header line without ':'");
    }

    @Test
    void resyncGoesOnAndStillExitsOne() {
        CliTest.Result r = run("BAD\n\n\0RECEIPT\nreceipt-id:2\n\n\0", "decode", "--resync");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out().split("\n")).containsExactly(
                "{\"error\":\"Invalid command: 'BAD'\",\"offset\":0}",
                "{\"command\":\"RECEIPT\",\"headers\":[[\"receipt-id\",\"2\"]],\"body\":\"\"}");
    }

    @Test
    void inputEndingInsideAFrameIsAnError() {
        CliTest.Result r = run("SEND\ndestination:/q\n\nunfinished", "decode");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("{\"error\":\"input ends inside a frame\",\"offset\":31}\n");
        assertThat(run("\n\n\r\n", "decode").exit()).as("heart-beats only").isZero();
        assertThat(run("\n\n\r\n", "decode").out()).isEmpty();
    }

    @Test
    void decodeLoadsNoClientOrBrokerClass() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-verbose:class", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "decode").redirectErrorStream(true).start();
        p.getOutputStream().write("RECEIPT\nreceipt-id:1\n\n\0".getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(log).contains("{\"command\":\"RECEIPT\"").contains("dev.stompbox.protocol.codec.StompParser")
                .doesNotContain("dev.stompbox.client.").doesNotContain("dev.stompbox.async.")
                .doesNotContain("org.apache.activemq").doesNotContain("io.netty");
    }
}
