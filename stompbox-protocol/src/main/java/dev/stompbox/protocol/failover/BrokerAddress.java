package dev.stompbox.protocol.failover;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One broker of a failover URI: {@code tcp://}, {@code ssl://}, {@code ws://} or {@code wss://},
 * a host (IPv6 without its brackets), a port (61613 when none is given), and for WebSocket the path
 * and query.
 *
 * <pre>{@code
 * BrokerAddress b = BrokerAddress.parse("ssl://[::1]:61614");
 * b.scheme();  // "ssl"
 * b.host();    // "::1"
 * b.port();    // 61614
 * b.secure();  // true
 * }</pre>
 */
public record BrokerAddress(String scheme, String host, int port, String path, String query) {
    /** The port used when a broker URI names none. */
    public static final int DEFAULT_PORT = 61613;
    /** The schemes a broker URI may have. */
    public static final Set<String> SCHEMES = Set.of("tcp", "ssl", "ws", "wss");

    public BrokerAddress {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        path = path == null ? "" : path;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** A {@code tcp://host:port} broker. */
    public static BrokerAddress tcp(String host, int port) {
        return new BrokerAddress("tcp", host, port, "", null);
    }

    /**
     * Parses one broker URI.
     *
     * @throws IllegalArgumentException if it is not {@code scheme://host[:port][/path][?query]} with a
     *                                  known scheme, or if it holds credentials ({@code user:password@}), which
     *                                  belong in the login and passcode settings
     */
    public static BrokerAddress parse(String uri) {
        URI u;
        try {
            u = new URI(uri.trim());
        } catch (URISyntaxException e) {
            // Not e's message: it repeats the input, user info and all.
            throw new IllegalArgumentException("Invalid broker URI '" + withoutUserInfo(uri) + "': " + e.getReason()
                    + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
        }
        if (u.getRawUserInfo() != null) {
            throw new IllegalArgumentException("Invalid broker URI '" + withoutUserInfo(uri)
                    + "': credentials do not belong in a URI, which is logged and shown; set login and passcode");
        }
        String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
        if (scheme == null || !SCHEMES.contains(scheme)) {
            throw new IllegalArgumentException("Invalid broker URI '" + uri + "': scheme must be one of tcp, ssl, ws, wss");
        }
        String host = u.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("Invalid broker URI '" + uri + "': no host (expected " + scheme + "://host:port)");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = u.getPort() == -1 ? DEFAULT_PORT : u.getPort();
        return new BrokerAddress(scheme, host, port, u.getRawPath(), u.getRawQuery());
    }

    /** {@code uri} with any {@code user:password@} replaced by {@code ***@}, for error messages. */
    static String withoutUserInfo(String uri) {
        return uri.replaceAll("//[^/@()?#]*@", "//***@");
    }

    /** Whether the connection uses TLS ({@code ssl}, {@code wss}). */
    public boolean secure() {
        return scheme.equals("ssl") || scheme.equals("wss");
    }

    /** Whether STOMP runs over WebSocket ({@code ws}, {@code wss}). */
    public boolean webSocket() {
        return scheme.startsWith("ws");
    }

    /** The URI text, host in brackets when it is an IPv6 address. */
    public String uri() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return scheme + "://" + h + ":" + port + path + (query == null ? "" : "?" + query);
    }

    @Override
    public String toString() {
        return uri();
    }
}
