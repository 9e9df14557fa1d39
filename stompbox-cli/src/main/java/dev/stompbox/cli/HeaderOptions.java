package dev.stompbox.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --header NAME:VALUE} options, as the commands that take them read them. */
final class HeaderOptions {
    private HeaderOptions() {
    }

    /** Splits each at its first ':', the value taken literally; the last of a repeated name wins. */
    static Map<String, String> parse(List<String> options) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h : options) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--header needs NAME:VALUE, got '" + h + "'");
            }
            headers.put(h.substring(0, colon), h.substring(colon + 1));
        }
        return headers;
    }
}
