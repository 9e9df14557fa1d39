package dev.stompbox.protocol.session;

/**
 * The states of a {@link StompSession}: {@code DISCONNECTED → CONNECTING} (CONNECT built)
 * {@code → CONNECTED} (CONNECTED handled) {@code → DISCONNECTING} (DISCONNECT built)
 * {@code → DISCONNECTED} ({@link StompSession#close()}).
 *
 * <pre>{@code
 * if (session.state() == SessionState.CONNECTED) { ... }
 * }</pre>
 */
public enum SessionState {
    DISCONNECTED, CONNECTING, CONNECTED, DISCONNECTING;

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
