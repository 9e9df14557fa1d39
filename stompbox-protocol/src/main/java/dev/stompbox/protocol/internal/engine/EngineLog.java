package dev.stompbox.protocol.internal.engine;

/**
 * Where the engine's log lines go: each client hands in its SLF4J logger, so that the engine
 * needs nothing beyond the JDK and the lines carry the client's logger name. Messages use SLF4J's
 * {@code {}} placeholders.
 */
public interface EngineLog {
    /** Drops everything; for tests. */
    EngineLog NONE = new EngineLog() {
        @Override
        public boolean debugEnabled() {
            return false;
        }

        @Override
        public void debug(String message, Object... args) {
        }

        @Override
        public void info(String message, Object... args) {
        }

        @Override
        public void warn(String message, Object... args) {
        }

        @Override
        public void error(String message, Object... args) {
        }
    };

    boolean debugEnabled();

    void debug(String message, Object... args);

    void info(String message, Object... args);

    void warn(String message, Object... args);

    void error(String message, Object... args);
}
