package dev.stompbox.it.reliability;

/** A broker the chaos test can crash and start again: in this JVM, or as a process killed with SIGKILL. */
interface ChaosBroker {
    int port();

    default String uri() {
        return "tcp://127.0.0.1:" + port();
    }

    /** Starts it and returns once it accepts STOMP connections. */
    void start();

    /** Crashes it: connections drop at once, the journal is left as it is. */
    void kill();
}
