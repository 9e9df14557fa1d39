package dev.stompbox.protocol.internal.engine;

/**
 * Where the engine's log lines go: each client hands in its SLF4J logger, so that the engine
 * needs nothing beyond the JDK and the lines carry the client's logger name. Messages use SLF4J's
 * {@code {}} placeholders.
 */
public interface EngineLog {
    /** One level of a logger, as SLF4J's {@code Logger::info} is. */
    @FunctionalInterface
    interface Sink {
        void log(String message, Object... args);
    }

    /** A log made of a logger's methods: {@code EngineLog.of(log::isDebugEnabled, log::debug, log::info, log::warn, log::error)}. */
    static EngineLog of(java.util.function.BooleanSupplier debugEnabled, Sink debug, Sink info, Sink warn, Sink error) {
        return new EngineLog() {
            @Override
            public boolean debugEnabled() {
                return debugEnabled.getAsBoolean();
            }

            @Override
            public void debug(String message, Object... args) {
                debug.log(message, args);
            }

            @Override
            public void info(String message, Object... args) {
                info.log(message, args);
            }

            @Override
            public void warn(String message, Object... args) {
                warn.log(message, args);
            }

            @Override
            public void error(String message, Object... args) {
                error.log(message, args);
            }
        };
    }

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
