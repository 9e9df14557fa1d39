package dev.stompbox.protocol.commands;

import dev.stompbox.protocol.Header;
import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompVersion;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a CONNECT (or STOMP) frame asks for: credentials, virtual host, versions, heart-beats and
 * any extra headers. Immutable; {@link #toString()} never shows the passcode.
 *
 * <pre>{@code
 * ConnectOptions options = ConnectOptions.builder()
 *         .login("guest").passcode("guest")
 *         .host("/")
 *         .versions(StompVersion.versions(StompVersion.V1_2))
 *         .heartBeat(new HeartBeat(10_000, 10_000))
 *         .build();
 * StompFrame connect = Commands.connect(options);
 * }</pre>
 */
public final class ConnectOptions {
    private final String login;
    private final String passcode;
    private final String host;
    private final List<StompVersion> versions;
    private final HeartBeat heartBeat;
    private final List<Header> headers;

    private ConnectOptions(Builder b) {
        this.login = b.login;
        this.passcode = b.passcode;
        this.host = b.host;
        this.versions = b.versions;
        this.heartBeat = b.heartBeat;
        this.headers = List.copyOf(b.headers);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Offers every version up to 1.2, no credentials, no heart-beats, host as the caller's default. */
    public static ConnectOptions defaults() {
        return builder().build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.login = login;
        b.passcode = passcode;
        b.host = host;
        b.versions = versions;
        b.heartBeat = heartBeat;
        b.headers.addAll(headers);
        return b;
    }

    /** The {@code login} header, or {@code null} for none. */
    public String login() {
        return login;
    }

    /** The {@code passcode} header, or {@code null} for none. */
    public String passcode() {
        return passcode;
    }

    /** The {@code host} header (the virtual host), or {@code null} when not set. */
    public String host() {
        return host;
    }

    /** The versions to offer, or {@code null} for "up to the caller's maximum". */
    public List<StompVersion> versions() {
        return versions;
    }

    /** The heart-beats to offer, or {@code null} to send no {@code heart-beat} header. */
    public HeartBeat heartBeat() {
        return heartBeat;
    }

    /** Extra headers, appended after the standard ones. */
    public List<Header> headers() {
        return headers;
    }

    @Override
    public String toString() {
        return "ConnectOptions[login=" + login + ", passcode=" + (passcode == null ? null : "***") + ", host=" + host
                + ", versions=" + versions + ", heartBeat=" + heartBeat + ", headers=" + headers.size() + "]";
    }

    /** Builds {@link ConnectOptions}. */
    public static final class Builder {
        private String login;
        private String passcode;
        private String host;
        private List<StompVersion> versions;
        private HeartBeat heartBeat;
        private final List<Header> headers = new ArrayList<>();

        private Builder() {
        }

        public Builder login(String login) {
            this.login = login;
            return this;
        }

        public Builder passcode(String passcode) {
            this.passcode = passcode;
            return this;
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** The versions to offer, in any order; they are sent oldest first. */
        public Builder versions(Collection<StompVersion> versions) {
            if (versions.isEmpty()) {
                throw new IllegalArgumentException("offer at least one STOMP version");
            }
            this.versions = versions.stream().distinct().sorted().toList();
            return this;
        }

        public Builder versions(StompVersion... versions) {
            return versions(List.of(versions));
        }

        public Builder heartBeat(HeartBeat heartBeat) {
            this.heartBeat = heartBeat;
            return this;
        }

        public Builder header(String name, String value) {
            headers.add(new Header(name, value));
            return this;
        }

        public Builder headers(Map<String, String> more) {
            more.forEach(this::header);
            return this;
        }

        public ConnectOptions build() {
            return new ConnectOptions(this);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ConnectOptions)) {
            return false;
        }
        ConnectOptions c = (ConnectOptions) o;
        return Objects.equals(login, c.login) && Objects.equals(passcode, c.passcode) && Objects.equals(host, c.host)
                && Objects.equals(versions, c.versions) && Objects.equals(heartBeat, c.heartBeat)
                && headers.equals(c.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(login, passcode, host, versions, heartBeat, headers);
    }
}
