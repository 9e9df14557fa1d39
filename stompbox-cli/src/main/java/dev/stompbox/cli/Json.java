package dev.stompbox.cli;

import dev.stompbox.protocol.Header;
import dev.stompbox.protocol.StompFrame;

import java.util.Base64;
import java.util.Locale;

/** The little JSON the command writes: strings escaped per RFC 8259, numbers, frames. */
final class Json {
    private Json() {
    }

    static String string(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    static String number(double d) {
        return Double.isFinite(d) ? String.format(Locale.ROOT, "%.3f", d) : "null";
    }

    /** {@code {"command":...,"headers":[[name,value],...],"body":"<base64>"}}: what decode and tail --format json print. */
    static String frame(StompFrame f) {
        StringBuilder sb = new StringBuilder(128).append("{\"command\":").append(string(f.command().name())).append(",\"headers\":[");
        boolean first = true;
        for (Header h : f.headers()) {
            sb.append(first ? "" : ",").append('[').append(string(h.name())).append(',').append(string(h.value())).append(']');
            first = false;
        }
        return sb.append("],\"body\":").append(string(Base64.getEncoder().encodeToString(f.body()))).append('}').toString();
    }
}
