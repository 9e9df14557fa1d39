package dev.stompbox.protocol;

/**
 * The two numbers of a {@code heart-beat} header, in milliseconds: how often this side can send
 * beats ({@code send}, 0 = never) and how often it wants to receive them ({@code receive}, 0 = not
 * at all).
 *
 * <pre>{@code
 * HeartBeat offer = new HeartBeat(10_000, 10_000);
 * HeartBeat server = HeartBeat.parse("5000,0");
 * long clientPeriod = HeartBeat.negotiate(offer.send(), server.receive()); // 0: the server wants none
 * long serverPeriod = HeartBeat.negotiate(server.send(), offer.receive()); // 10000
 * }</pre>
 */
public record HeartBeat(long send, long receive) {
    /** No heart-beats either way; what a missing header means. */
    public static final HeartBeat NONE = new HeartBeat(0, 0);

    public HeartBeat {
        if (send < 0 || receive < 0) {
            throw new IllegalArgumentException("heart-beat periods must not be negative: " + send + "," + receive);
        }
    }

    /**
     * Parses a header value {@code "cx,cy"}; {@code null} (no header) is {@link #NONE}.
     *
     * @throws StompProtocolException when it is not two non-negative integers separated by a comma
     */
    public static HeartBeat parse(String value) {
        if (value == null) {
            return NONE;
        }
        int comma = value.indexOf(',');
        if (comma < 0) {
            throw new StompProtocolException("Invalid heart-beat header: '" + value + "' (expected two integers cx,cy)");
        }
        try {
            long send = parsePeriod(value.substring(0, comma));
            long receive = parsePeriod(value.substring(comma + 1));
            return new HeartBeat(send, receive);
        } catch (NumberFormatException e) {
            throw new StompProtocolException("Invalid heart-beat header: '" + value + "' (expected two integers cx,cy)");
        }
    }

    private static long parsePeriod(String s) {
        if (s.isEmpty() || s.charAt(0) == '+' || s.charAt(0) == '-') {
            throw new NumberFormatException(s);
        }
        return Long.parseLong(s);
    }

    /**
     * The spec's negotiation for one direction: 0 if the sender cannot send or the receiver wants
     * nothing, otherwise the larger of the two.
     *
     * @param sender   what the sending side offers (its {@code send})
     * @param receiver what the receiving side asks for (its {@code receive})
     */
    public static long negotiate(long sender, long receiver) {
        return sender == 0 || receiver == 0 ? 0 : Math.max(sender, receiver);
    }

    /** The header value, {@code "send,receive"}. */
    public String toHeaderValue() {
        return send + "," + receive;
    }

    @Override
    public String toString() {
        return toHeaderValue();
    }
}
