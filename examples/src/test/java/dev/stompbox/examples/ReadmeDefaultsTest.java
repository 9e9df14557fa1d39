package dev.stompbox.examples;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.protocol.connection.ConnectionConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's "Settings and defaults" table, checked against both clients' default configurations. */
class ReadmeDefaultsTest {
    private static final long MIB = 1024 * 1024;
    private static final Set<Class<?>> SIMPLE = Set.of(Duration.class, boolean.class, int.class, long.class, double.class,
            String.class, dev.stompbox.protocol.HeartBeat.class, dev.stompbox.protocol.StompVersion.class);

    private record Row(String setting, String value, String appliesTo) {
    }

    @Test
    @DisplayName("every row of the README's defaults table is the default of the clients it names")
    void tableMatchesCode() throws Exception {
        List<String> mismatches = new ArrayList<>();
        for (Row row : rows().values()) {
            if (row.value().equals("(required)")) {
                continue;
            }
            for (ConnectionConfig config : configsFor(row.appliesTo())) {
                Method getter = config.getClass().getMethod(row.setting());
                String actual = render(getter.invoke(config));
                if (!actual.equals(row.value())) {
                    mismatches.add(row.setting() + " on " + config.getClass().getSimpleName() + ": README says '"
                            + row.value() + "', the code has '" + actual + "'");
                }
            }
        }
        assertThat(mismatches).isEmpty();
    }

    @Test
    @DisplayName("every setting with a plain default has a row, naming the clients that have it")
    void everySettingHasARow() {
        Map<String, Row> rows = rows();
        List<String> missing = new ArrayList<>();
        check(StompClientConfig.builder("tcp://localhost:61613").build(), "blocking", rows, missing);
        check(AsyncStompClientConfig.builder("tcp://localhost:61613").build(), "async", rows, missing);
        assertThat(missing).isEmpty();
    }

    private static void check(ConnectionConfig config, String face, Map<String, Row> rows, List<String> missing) {
        for (Method m : config.getClass().getMethods()) {
            if (m.getParameterCount() == 0 && !Modifier.isStatic(m.getModifiers()) && SIMPLE.contains(m.getReturnType())
                    && !Set.of("toString", "hashCode", "login", "passcode").contains(m.getName())) {
                Row row = rows.get(m.getName());
                boolean shared = m.getDeclaringClass() == ConnectionConfig.class;
                String expected = shared ? "both" : face;
                if (row == null || !row.appliesTo().equals(expected)) {
                    missing.add(m.getName() + " (" + expected + ")");
                }
            }
        }
    }

    private static List<ConnectionConfig> configsFor(String appliesTo) {
        List<ConnectionConfig> configs = new ArrayList<>();
        if (!appliesTo.equals("async")) {
            configs.add(StompClientConfig.builder("tcp://localhost:61613").build());
        }
        if (!appliesTo.equals("blocking")) {
            configs.add(AsyncStompClientConfig.builder("tcp://localhost:61613").build());
        }
        return configs;
    }

    /** The value as the README writes it. */
    private static String render(Object value) {
        if (value instanceof Boolean b) {
            return b ? "on" : "off";
        }
        if (value instanceof Duration d) {
            return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
        }
        if (value instanceof Long n && n >= MIB && n % MIB == 0) {
            return n / MIB + " MiB";
        }
        return String.valueOf(value);
    }

    private static Map<String, Row> rows() {
        try {
            List<String> lines = Files.readAllLines(Path.of("..", "README.md"));
            int start = lines.indexOf("## Settings and defaults");
            assertThat(start).as("the README's settings section").isNotNegative();
            Map<String, Row> rows = new LinkedHashMap<>();
            for (String line : lines.subList(start + 1, lines.size())) {
                if (line.startsWith("## ")) {
                    break;
                }
                if (line.startsWith("| `")) {
                    String[] cells = line.split("\\|");
                    String setting = cells[1].trim().replace("`", "");
                    rows.put(setting, new Row(setting, cells[2].trim().replace("`", ""), cells[3].trim()));
                }
            }
            assertThat(rows).as("rows of the table").hasSizeGreaterThan(10);
            return rows;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
