package dev.stompbox.protocol.commands;

import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompHeaders;
import dev.stompbox.protocol.StompProtocolException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.StompEncoder;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The stateless STOMP API (stompest's {@code commands}): functions that build client frames and
 * read server frames, for a given version, keeping no state. {@link dev.stompbox.protocol.session.StompSession}
 * adds the state on top. Anything that does not conform to the version is a
 * {@link StompProtocolException}.
 *
 * <pre>{@code
 * List<StompVersion> versions = StompVersion.versions(StompVersion.V1_1);
 * StompFrame connect = Commands.connect(ConnectOptions.builder().versions(versions).build());
 * Subscribe sub = Commands.subscribe("/queue/test", Map.of("ack", "client-individual"), null, StompVersion.V1_0);
 * StompFrame message = ...;                             // from the parser
 * if (Commands.message(message, StompVersion.V1_0).equals(sub.token())) {
 *     StompFrame ack = Commands.ack(message, StompVersion.V1_0, null, null);
 * }
 * StompFrame bye = Commands.disconnect("message-12345");
 * }</pre>
 */
public final class Commands {
    private Commands() {
    }

    /** All versions up to and including {@code max}. */
    public static List<StompVersion> versions(StompVersion max) {
        return StompVersion.versions(max);
    }

    /** The spec's heart-beat negotiation for one direction; see {@link HeartBeat#negotiate}. */
    public static long negotiateHeartBeat(long client, long server) {
        return HeartBeat.negotiate(client, server);
    }

    /**
     * A CONNECT frame. Offered versions default to all up to 1.2. When a version above 1.0 is offered
     * it carries {@code accept-version}; {@code host} goes exactly as given (none when {@code null};
     * the seed's examples pass {@code ""}); {@code heart-beat} when one is given and a version above
     * 1.0 is offered. Then {@code login}, {@code passcode} when given, then the extra headers.
     */
    public static StompFrame connect(ConnectOptions options) {
        return connectFrame(StompCommand.CONNECT, options);
    }

    /** A CONNECT frame with default options. */
    public static StompFrame connect() {
        return connect(ConnectOptions.defaults());
    }

    /**
     * A STOMP frame: CONNECT under its 1.1 name.
     *
     * @throws StompProtocolException when only 1.0 is offered, which has no STOMP frame
     */
    public static StompFrame stomp(ConnectOptions options) {
        List<StompVersion> versions = offered(options);
        if (versions.get(versions.size() - 1) == StompVersion.V1_0) {
            throw new StompProtocolException("STOMP frame is not supported in version 1.0 (use CONNECT)");
        }
        return connectFrame(StompCommand.STOMP, options);
    }

    private static List<StompVersion> offered(ConnectOptions options) {
        return options.versions() == null ? StompVersion.versions(StompVersion.latest()) : options.versions();
    }

    private static StompFrame connectFrame(StompCommand command, ConnectOptions options) {
        List<StompVersion> versions = offered(options);
        boolean modern = versions.get(versions.size() - 1) != StompVersion.V1_0;
        StompFrame.Builder b = StompFrame.builder(command);
        if (modern) {
            b.header(StompHeaders.ACCEPT_VERSION, versions.stream().map(StompVersion::text).collect(Collectors.joining(",")));
        }
        if (options.host() != null) {
            b.header(StompHeaders.HOST, options.host());
        }
        if (modern && options.heartBeat() != null) {
            b.header(StompHeaders.HEART_BEAT, options.heartBeat().toHeaderValue());
        }
        if (options.login() != null) {
            b.header(StompHeaders.LOGIN, options.login());
        }
        if (options.passcode() != null) {
            b.header(StompHeaders.PASSCODE, options.passcode());
        }
        return b.headers(options.headers()).build();
    }

    /**
     * Reads a CONNECTED frame: the version (none named means 1.0), session, server and heart-beat.
     *
     * @param versions the versions the CONNECT offered
     * @throws StompProtocolException if it is not CONNECTED or names a version that was not offered
     */
    public static ConnectedInfo connected(StompFrame frame, Collection<StompVersion> versions) {
        expect(frame, StompCommand.CONNECTED);
        String v = frame.header(StompHeaders.VERSION);
        StompVersion version = v == null ? StompVersion.V1_0 : StompVersion.of(v);
        if (!versions.contains(version)) {
            throw new StompProtocolException("Server chose version " + version + ", which was not offered (offered: "
                    + versions.stream().map(StompVersion::text).collect(Collectors.joining(",")) + ")");
        }
        HeartBeat heartBeat = version.hasHeartBeats() ? HeartBeat.parse(frame.header(StompHeaders.HEART_BEAT)) : HeartBeat.NONE;
        return new ConnectedInfo(version, frame.header(StompHeaders.SESSION), frame.header(StompHeaders.SERVER), heartBeat);
    }

    /** A SEND frame with a copy of {@code body} (may be {@code null} for none). */
    public static StompFrame send(String destination, byte[] body, Map<String, String> headers, String receipt) {
        StompFrame.Builder b = StompFrame.builder(StompCommand.SEND).header(StompHeaders.DESTINATION, requireText(destination, "destination"));
        if (headers != null) {
            b.headers(headers);
        }
        receipt(b, receipt);
        if (body != null) {
            b.body(body);
        }
        return b.build();
    }

    /** A SEND frame with the UTF-8 bytes of {@code body}. */
    public static StompFrame send(String destination, String body) {
        return send(destination, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), null, null);
    }

    /**
     * A SUBSCRIBE frame and its token. The token is the {@code id} header when there is one, else (1.0
     * only) the destination.
     *
     * @throws StompProtocolException in 1.1 and later when {@code headers} hold no {@code id}
     */
    public static Subscribe subscribe(String destination, Map<String, String> headers, String receipt, StompVersion version) {
        StompFrame.Builder b = StompFrame.builder(StompCommand.SUBSCRIBE).header(StompHeaders.DESTINATION, requireText(destination, "destination"));
        String id = headers == null ? null : headers.get(StompHeaders.ID);
        if (id == null && version != StompVersion.V1_0) {
            throw new StompProtocolException("Invalid SUBSCRIBE (id header mandatory in version " + version + ")");
        }
        if (headers != null) {
            b.headers(headers);
        }
        receipt(b, receipt);
        SubscriptionToken token = id != null ? SubscriptionToken.ofId(id) : SubscriptionToken.ofDestination(destination);
        return new Subscribe(b.build(), token);
    }

    /**
     * An UNSUBSCRIBE frame for the subscription of {@code token}.
     *
     * @throws StompProtocolException in 1.1 and later for a destination token (an id is required)
     */
    public static StompFrame unsubscribe(SubscriptionToken token, String receipt, StompVersion version) {
        Objects.requireNonNull(token, "token");
        if (!token.header().equals(StompHeaders.ID) && version != StompVersion.V1_0) {
            throw new StompProtocolException("Invalid UNSUBSCRIBE (id header mandatory in version " + version + ")");
        }
        StompFrame.Builder b = StompFrame.builder(StompCommand.UNSUBSCRIBE).header(token.header(), token.value());
        receipt(b, receipt);
        return b.build();
    }

    /**
     * The token of the subscription a MESSAGE belongs to.
     *
     * @throws StompProtocolException if it is not a MESSAGE, or lacks the header the version makes
     *                                mandatory ({@code subscription} in 1.1 and later)
     */
    public static SubscriptionToken message(StompFrame frame, StompVersion version) {
        expect(frame, StompCommand.MESSAGE);
        String subscription = frame.header(StompHeaders.SUBSCRIPTION);
        if (subscription != null) {
            return SubscriptionToken.ofId(subscription);
        }
        if (version != StompVersion.V1_0) {
            throw invalid(frame, "subscription", version);
        }
        String destination = frame.header(StompHeaders.DESTINATION);
        if (destination == null) {
            throw invalid(frame, "destination", version);
        }
        return SubscriptionToken.ofDestination(destination);
    }

    /**
     * An ACK for a MESSAGE, with the headers the version needs: 1.0 {@code message-id}; 1.1
     * {@code subscription} and {@code message-id}; 1.2 {@code id} = the MESSAGE's {@code ack} header.
     * It carries {@code transaction} only when the MESSAGE has a {@code transaction} header naming
     * one of {@code transactions}.
     */
    public static StompFrame ack(StompFrame message, StompVersion version, Collection<String> transactions, String receipt) {
        return acknowledge(StompCommand.ACK, message, version, transactions, receipt);
    }

    /**
     * A NACK for a MESSAGE; headers as for {@link #ack}.
     *
     * @throws StompProtocolException in 1.0, which has no NACK
     */
    public static StompFrame nack(StompFrame message, StompVersion version, Collection<String> transactions, String receipt) {
        if (!version.supports(StompCommand.NACK)) {
            throw new StompProtocolException("NACK is not supported in version " + version);
        }
        return acknowledge(StompCommand.NACK, message, version, transactions, receipt);
    }

    private static StompFrame acknowledge(StompCommand command, StompFrame message, StompVersion version,
                                          Collection<String> transactions, String receipt) {
        expect(message, StompCommand.MESSAGE);
        StompFrame.Builder b = StompFrame.builder(command);
        for (String name : version.ackHeaders()) {
            String source = name.equals(StompHeaders.ID) ? StompHeaders.ACK : name;
            String value = message.header(source);
            if (value == null) {
                throw invalid(message, source, version);
            }
            b.header(name, value);
        }
        String transaction = message.header(StompHeaders.TRANSACTION);
        if (transaction != null && transactions != null && transactions.contains(transaction)) {
            b.header(StompHeaders.TRANSACTION, transaction);
        }
        receipt(b, receipt);
        return b.build();
    }

    /** A BEGIN frame for {@code transaction}. */
    public static StompFrame begin(String transaction, String receipt) {
        return transactionFrame(StompCommand.BEGIN, transaction, receipt);
    }

    /** A COMMIT frame for {@code transaction}. */
    public static StompFrame commit(String transaction, String receipt) {
        return transactionFrame(StompCommand.COMMIT, transaction, receipt);
    }

    /** An ABORT frame for {@code transaction}. */
    public static StompFrame abort(String transaction, String receipt) {
        return transactionFrame(StompCommand.ABORT, transaction, receipt);
    }

    private static StompFrame transactionFrame(StompCommand command, String transaction, String receipt) {
        StompFrame.Builder b = StompFrame.builder(command).header(StompHeaders.TRANSACTION, requireText(transaction, "transaction"));
        receipt(b, receipt);
        return b.build();
    }

    /** A DISCONNECT frame, asking for a receipt when {@code receipt} is not {@code null}. */
    public static StompFrame disconnect(String receipt) {
        StompFrame.Builder b = StompFrame.builder(StompCommand.DISCONNECT);
        receipt(b, receipt);
        return b.build();
    }

    /** A DISCONNECT frame without receipt. */
    public static StompFrame disconnect() {
        return disconnect(null);
    }

    /**
     * The bytes of one heart-beat.
     *
     * @throws StompProtocolException in 1.0, which has no heart-beats
     */
    public static byte[] beat(StompVersion version) {
        if (!version.hasHeartBeats()) {
            throw new StompProtocolException("Heart-beating is not supported in version " + version);
        }
        return StompEncoder.heartBeat();
    }

    /**
     * The {@code receipt-id} of a RECEIPT frame.
     *
     * @throws StompProtocolException if it is not a RECEIPT or has no {@code receipt-id}
     */
    public static String receipt(StompFrame frame) {
        expect(frame, StompCommand.RECEIPT);
        String id = frame.header(StompHeaders.RECEIPT_ID);
        if (id == null) {
            throw new StompProtocolException("Invalid RECEIPT frame (receipt-id header mandatory) [" + frame.info() + "]");
        }
        return id;
    }

    /**
     * Checks that this is an ERROR frame and returns its {@code message} header ({@code ""} when it has
     * none), the short description brokers put there.
     */
    public static String error(StompFrame frame) {
        expect(frame, StompCommand.ERROR);
        return frame.header(StompHeaders.MESSAGE, "");
    }

    // ---------------------------------------------------------------------------------------------

    private static void expect(StompFrame frame, StompCommand command) {
        Objects.requireNonNull(frame, "frame");
        if (frame.command() != command) {
            throw new StompProtocolException("Expected a " + command + " frame, got " + frame.command() + " [" + frame.info() + "]");
        }
    }

    private static StompProtocolException invalid(StompFrame frame, String header, StompVersion version) {
        return new StompProtocolException("Invalid " + frame.command() + " frame (" + header + " header mandatory in version "
                + version + ") [" + frame.info() + "]");
    }

    private static void receipt(StompFrame.Builder b, String receipt) {
        if (receipt != null) {
            b.header(StompHeaders.RECEIPT, receipt);
        }
    }

    private static String requireText(String value, String what) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be null or empty");
        }
        return value;
    }
}
