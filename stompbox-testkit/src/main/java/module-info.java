/**
 * An in-process STOMP server for tests, with fault injection. The JUnit 5 extension in
 * {@code dev.stompbox.testkit.junit} needs the JUnit Jupiter API at run time; the server does not.
 */
module dev.stompbox.testkit {
    requires transitive dev.stompbox.protocol;
    requires static org.junit.jupiter.api;

    exports dev.stompbox.testkit;
    exports dev.stompbox.testkit.junit;
}
