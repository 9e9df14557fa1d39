package dev.stompbox.cli;

/**
 * The log levels the {@code stompbox} command and the benchmarks start with: warnings only, and
 * Artemis's audit loggers off. Artemis logs every message through them at INFO, which also slows
 * it about ten times. A level the caller set as a system property is kept. Effective when applied
 * before SLF4J's first logger.
 *
 * <p>This class references no broker or client class, so that applying it loads neither (the
 * {@code decode} subcommand stays light).
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     LogDefaults.apply();
 *     ...
 * }
 * }</pre>
 */
public final class LogDefaults {
    private LogDefaults() {
    }

    /** Sets each default level unless a system property already names one. */
    public static void apply() {
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.org.apache.activemq.audit", "off");
        setIfAbsent("org.slf4j.simpleLogger.log.org.apache.activemq", "error");
        setIfAbsent("org.slf4j.simpleLogger.log.dev.stompbox", "error");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
