package dev.stompbox.cli;

import picocli.CommandLine.ITypeConverter;

import java.time.Duration;
import java.util.Locale;

/**
 * Reads {@code --duration} and {@code --warmup}: 10s, 500ms, 2m, 1h, 0 or ISO-8601 (PT10S).
 *
 * <pre>{@code
 * new DurationConverter().convert("500ms");   // PT0.5S
 * }</pre>
 */
final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("0")) {
            return Duration.ZERO;
        }
        if (v.startsWith("pt")) {
            return Duration.parse(value);
        }
        if (v.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        long n = Long.parseLong(v.substring(0, v.length() - 1));
        return switch (v.charAt(v.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException("not a duration: " + value + " (try 10s, 500ms, 2m)");
        };
    }
}
