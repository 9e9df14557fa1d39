package dev.stompbox.protocol.failover;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A parsed failover URI (stompest's {@code StompFailoverUri}):
 * {@code failover:(uri1,...,uriN)?options}, {@code failover:uri1,...,uriN?options}, or a bare
 * broker URI (one attempt, no retry).
 *
 * <p>Grammar: the options start at the first {@code ?} outside the parentheses and are separated by
 * {@code ,} or {@code &}; the broker list is split at a {@code ,} only where the next item starts
 * with {@code scheme://}, so a broker URI inside parentheses may carry a path and query of its own.
 * An unknown option or a bad value is an {@link IllegalArgumentException} that lists the valid
 * options.
 *
 * <pre>{@code
 * FailoverUri uri = FailoverUri.parse("failover:(tcp://remote1:61615,tcp://localhost:61616)"
 *         + "?randomize=false,startupMaxReconnectAttempts=3,initialReconnectDelay=7,maxReconnectDelay=8,maxReconnectAttempts=0");
 * uri.brokers();                         // [tcp://remote1:61615, tcp://localhost:61616]
 * uri.options().initialReconnectDelay(); // 7
 * }</pre>
 */
public final class FailoverUri {
    private static final String PREFIX = "failover:";
    private static final Pattern ITEM_START = Pattern.compile("^\\s*[A-Za-z][A-Za-z0-9+.-]*://.*", Pattern.DOTALL);

    private final String text;
    private final List<BrokerAddress> brokers;
    private final FailoverOptions options;
    private final boolean failover;

    private FailoverUri(String text, List<BrokerAddress> brokers, FailoverOptions options, boolean failover) {
        this.text = text;
        this.brokers = List.copyOf(brokers);
        this.options = options;
        this.failover = failover;
    }

    /**
     * Parses a failover or bare broker URI.
     *
     * @throws IllegalArgumentException with what was wrong and, for options, the valid ones
     */
    public static FailoverUri parse(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("Empty broker URI");
        }
        String text = uri.trim();
        if (!text.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return new FailoverUri(text, List.of(BrokerAddress.parse(text)), FailoverOptions.singleAttempt(), false);
        }
        String rest = text.substring(PREFIX.length());
        String list;
        String query;
        if (rest.startsWith("(")) {
            int close = closingParenthesis(rest, text);
            list = rest.substring(1, close);
            String after = rest.substring(close + 1);
            if (after.isEmpty()) {
                query = null;
            } else if (after.startsWith("?")) {
                query = after.substring(1);
            } else {
                throw new IllegalArgumentException("Invalid failover URI '" + BrokerAddress.withoutUserInfo(text) + "': expected '?' after ')', got '" + after + "'");
            }
        } else {
            int q = rest.indexOf('?');
            list = q < 0 ? rest : rest.substring(0, q);
            query = q < 0 ? null : rest.substring(q + 1);
        }
        List<BrokerAddress> brokers = new ArrayList<>();
        for (String item : splitBrokers(list)) {
            brokers.add(BrokerAddress.parse(item));
        }
        if (brokers.isEmpty()) {
            throw new IllegalArgumentException("Invalid failover URI '" + BrokerAddress.withoutUserInfo(text) + "': no broker");
        }
        return new FailoverUri(text, brokers, parseOptions(query), true);
    }

    private static int closingParenthesis(String rest, String text) {
        int depth = 0;
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("Invalid failover URI '" + BrokerAddress.withoutUserInfo(text) + "': missing ')'");
    }

    private static List<String> splitBrokers(String list) {
        List<String> items = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < list.length(); i++) {
            if (list.charAt(i) == ',' && ITEM_START.matcher(list.substring(i + 1)).matches()) {
                items.add(list.substring(start, i));
                start = i + 1;
            }
        }
        if (start < list.length() || !items.isEmpty()) {
            items.add(list.substring(start));
        }
        items.removeIf(String::isBlank);
        return items;
    }

    private static FailoverOptions parseOptions(String query) {
        FailoverOptions d = FailoverOptions.defaults();
        Map<String, String> values = new HashMap<>();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("[,&]")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                if (!FailoverOptions.NAMES.contains(name)) {
                    throw new IllegalArgumentException("Unknown failover option '" + name + "' (valid: "
                            + String.join(", ", FailoverOptions.NAMES) + ")");
                }
                if (eq < 0) {
                    throw new IllegalArgumentException("Failover option '" + name + "' has no value (write " + name
                            + "=value; valid options: " + String.join(", ", FailoverOptions.NAMES) + ")");
                }
                values.put(name, pair.substring(eq + 1));
            }
        }
        try {
            return new FailoverOptions(
                    intOption(values, "initialReconnectDelay", d.initialReconnectDelay()),
                    intOption(values, "maxReconnectDelay", d.maxReconnectDelay()),
                    boolOption(values, "useExponentialBackOff", d.useExponentialBackOff()),
                    doubleOption(values, "backOffMultiplier", d.backOffMultiplier()),
                    intOption(values, "maxReconnectAttempts", d.maxReconnectAttempts()),
                    intOption(values, "startupMaxReconnectAttempts", d.startupMaxReconnectAttempts()),
                    intOption(values, "reconnectDelayJitter", d.reconnectDelayJitter()),
                    boolOption(values, "randomize", d.randomize()),
                    boolOption(values, "priorityBackup", d.priorityBackup()));
        } catch (IllegalArgumentException e) {
            if (e.getMessage().contains("valid options")) {
                throw e;
            }
            throw new IllegalArgumentException(e.getMessage() + " (valid options: " + String.join(", ", FailoverOptions.NAMES) + ")", e);
        }
    }

    private static int intOption(Map<String, String> values, String name, int fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw badValue(name, v, "an integer");
        }
    }

    private static double doubleOption(Map<String, String> values, String name, double fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (Double.isNaN(d)) {
                throw new NumberFormatException(v);
            }
            return d;
        } catch (NumberFormatException e) {
            throw badValue(name, v, "a number");
        }
    }

    private static boolean boolOption(Map<String, String> values, String name, boolean fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        if (v.trim().equalsIgnoreCase("true")) {
            return true;
        }
        if (v.trim().equalsIgnoreCase("false")) {
            return false;
        }
        throw badValue(name, v, "true or false");
    }

    private static IllegalArgumentException badValue(String name, String value, String expected) {
        return new IllegalArgumentException("Invalid value '" + value + "' for failover option " + name + " (expected "
                + expected + "; valid options: " + String.join(", ", FailoverOptions.NAMES) + ")");
    }

    /** The brokers, in the order written. */
    public List<BrokerAddress> brokers() {
        return brokers;
    }

    public FailoverOptions options() {
        return options;
    }

    /** Whether this was a {@code failover:} URI (false for a bare broker URI). */
    public boolean failover() {
        return failover;
    }

    /** The URI as given (trimmed). */
    @Override
    public String toString() {
        return text;
    }
}
