package dev.stompbox.protocol.failover;

import java.util.List;

/**
 * The failover options, with the names, types and defaults of stompest (and ActiveMQ's failover
 * transport). Delays are in milliseconds.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>initialReconnectDelay</td><td>10</td><td>wait before the first reconnect attempt</td></tr>
 *   <tr><td>maxReconnectDelay</td><td>30000</td><td>longest wait between attempts</td></tr>
 *   <tr><td>useExponentialBackOff</td><td>true</td><td>multiply the wait after each attempt</td></tr>
 *   <tr><td>backOffMultiplier</td><td>2.0</td><td>the factor</td></tr>
 *   <tr><td>maxReconnectAttempts</td><td>-1</td><td>-1 forever, 0 no retry (one try), n &gt; 0 at most n reconnects</td></tr>
 *   <tr><td>startupMaxReconnectAttempts</td><td>0</td><td>if not 0, the limit for the very first connect; 0 means maxReconnectAttempts applies</td></tr>
 *   <tr><td>reconnectDelayJitter</td><td>0</td><td>up to this much is added at random to each wait</td></tr>
 *   <tr><td>randomize</td><td>true</td><td>shuffle the brokers on each pass</td></tr>
 *   <tr><td>priorityBackup</td><td>false</td><td>try local brokers first</td></tr>
 * </table>
 *
 * <pre>{@code
 * FailoverOptions o = FailoverUri.parse("failover:(tcp://a:61613,tcp://b:61613)?randomize=false").options();
 * o.maxReconnectAttempts(); // -1
 * }</pre>
 */
public record FailoverOptions(int initialReconnectDelay, int maxReconnectDelay, boolean useExponentialBackOff,
                              double backOffMultiplier, int maxReconnectAttempts, int startupMaxReconnectAttempts,
                              int reconnectDelayJitter, boolean randomize, boolean priorityBackup) {

    /** The option names, as written in a URI. */
    public static final List<String> NAMES = List.of("initialReconnectDelay", "maxReconnectDelay",
            "useExponentialBackOff", "backOffMultiplier", "maxReconnectAttempts", "startupMaxReconnectAttempts",
            "reconnectDelayJitter", "randomize", "priorityBackup");

    private static final FailoverOptions DEFAULTS = new FailoverOptions(10, 30000, true, 2.0, -1, 0, 0, true, false);
    private static final FailoverOptions SINGLE_ATTEMPT = new FailoverOptions(10, 30000, true, 2.0, 0, 0, 0, false, false);

    public FailoverOptions {
        check(initialReconnectDelay >= 0, "initialReconnectDelay", initialReconnectDelay);
        check(maxReconnectDelay >= 0, "maxReconnectDelay", maxReconnectDelay);
        check(backOffMultiplier >= 1.0 && !Double.isInfinite(backOffMultiplier), "backOffMultiplier", backOffMultiplier);
        check(maxReconnectAttempts >= -1, "maxReconnectAttempts", maxReconnectAttempts);
        check(startupMaxReconnectAttempts >= -1, "startupMaxReconnectAttempts", startupMaxReconnectAttempts);
        check(reconnectDelayJitter >= 0, "reconnectDelayJitter", reconnectDelayJitter);
    }

    private static void check(boolean ok, String name, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("Invalid value " + value + " for failover option " + name);
        }
    }

    /** The defaults of the table above. */
    public static FailoverOptions defaults() {
        return DEFAULTS;
    }

    /** What a bare broker URI means: exactly one attempt. */
    public static FailoverOptions singleAttempt() {
        return SINGLE_ATTEMPT;
    }

    /** The limit for a cycle of attempts: {@code startupMaxReconnectAttempts} for the first, if set. */
    public int reconnectAttemptsLimit(boolean startup) {
        return startup && startupMaxReconnectAttempts != 0 ? startupMaxReconnectAttempts : maxReconnectAttempts;
    }
}
