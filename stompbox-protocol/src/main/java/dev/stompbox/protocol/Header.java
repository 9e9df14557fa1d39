package dev.stompbox.protocol;

import java.util.Objects;

/**
 * One header entry of a frame: a name and a value, both taken exactly as given (never trimmed).
 *
 * <pre>{@code
 * for (Header h : frame.headers()) {
 *     System.out.println(h.name() + " = " + h.value());
 * }
 * }</pre>
 */
public record Header(String name, String value) {
    public Header {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    /** Shorthand for {@code new Header(name, value)}. */
    public static Header of(String name, String value) {
        return new Header(name, value);
    }

    @Override
    public String toString() {
        return name + ":" + value;
    }
}
