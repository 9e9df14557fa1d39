package dev.stompbox.protocol.failover;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One broker of a failover URI: {@code tcp://}, {@code ssl://}, {@code ws://} or {@code wss://},
 * a host (IPv6 without its brackets), a port, and for WebSocket the path and query. Without a port,
 * {@code tcp} and {@code ssl} take 61613 (STOMP's), {@code ws} 80 and {@code wss} 443 (WebSocket's,
 * RFC 6455, as a browser takes them).
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
    /** The port used when a {@code tcp://} or {@code ssl://} URI names none; see {@link #defaultPort}. */
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
        if (u.getPort() == -1 && u.getRawAuthority().endsWith(":")) {
            // "tcp://host:" is what "tcp://host:${PORT}" becomes with PORT unset: not a request for the default.
            throw new IllegalArgumentException("Invalid broker URI '" + uri + "': no port after ':'");
        }
        int port = u.getPort() == -1 ? defaultPort(scheme) : u.getPort();
        return new BrokerAddress(scheme, host, port, u.getRawPath(), u.getRawQuery());
    }

    /** The port a URI of {@code scheme} means when it names none: 61613 for tcp and ssl, 80 for ws, 443 for wss. */
    public static int defaultPort(String scheme) {
        return switch (scheme.toLowerCase(Locale.ROOT)) {
            case "ws" -> 80;
            case "wss" -> 443;
            default -> DEFAULT_PORT;
        };
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
