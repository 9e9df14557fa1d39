package dev.stompbox.examples;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The examples' message, {@code {"count": N}}, without a JSON library. */
final class Count {
    private static final Pattern COUNT = Pattern.compile("\\{\\s*\"count\"\\s*:\\s*(-?\\d+)\\s*}");

    private Count() {
    }

    static String json(int count) {
        return "{\"count\": " + count + "}";
    }

    /** @throws IllegalArgumentException for anything else: a poison pill */
    static int parse(String body) {
        Matcher m = COUNT.matcher(body.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a count message: " + body);
        }
        return Integer.parseInt(m.group(1));
    }
}
