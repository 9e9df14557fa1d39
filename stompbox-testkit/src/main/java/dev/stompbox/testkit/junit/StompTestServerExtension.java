package dev.stompbox.testkit.junit;

import dev.stompbox.testkit.StompTestServer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives each test a fresh, started {@link StompTestServer} and closes it after the test. Declare a
 * test-method parameter of type {@code StompTestServer}, or a non-static field of that type that is
 * {@code null} when the test starts (fields of enclosing instances of {@code @Nested} tests count
 * too). When a test fails, the frame trace of every connection of its servers is printed to
 * standard error, passcodes masked.
 *
 * <pre>{@code
 * @ExtendWith(StompTestServerExtension.class)
 * class MyClientTest {
 *     StompTestServer server;                   // injected before each test
 *
 *     @Test
 *     void reconnectsWhenTheServerGoesSilent(StompTestServer other) { ... }
 * }
 * }</pre>
 */
public final class StompTestServerExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(StompTestServerExtension.class);
    private static final String SERVERS = "servers";

    private final PrintStream failureOutput;

    /** The extension as {@code @ExtendWith} creates it: failure traces go to standard error. */
    public StompTestServerExtension() {
        this(System.err);
    }

    StompTestServerExtension(PrintStream failureOutput) {
        this.failureOutput = failureOutput;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IllegalAccessException {
        for (ServerField f : serverFields(context)) {
            if (f.get() == null) {
                f.set(newServer(context));
            }
        }
    }

    /** A writable, non-static {@code StompTestServer} field of one test instance. */
    private record ServerField(Field field, Object instance) {
        Object get() throws IllegalAccessException {
            return field.get(instance);
        }

        void set(Object value) throws IllegalAccessException {
            field.set(instance, value);
        }
    }

    private static List<ServerField> serverFields(ExtensionContext context) {
        List<ServerField> out = new ArrayList<>();
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            for (Class<?> c = instance.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (f.getType() == StompTestServer.class && !Modifier.isStatic(f.getModifiers())
                            && !Modifier.isFinal(f.getModifiers())) {
                        f.setAccessible(true);
                        out.add(new ServerField(f, instance));
                    }
                }
            }
        }
        return out;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == StompTestServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return newServer(extensionContext);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IllegalAccessException {
        List<StompTestServer> servers = servers(context);
        // A skipped test (an assumption not met) did not fail: no trace for it.
        if (context.getExecutionException().filter(e -> !(e instanceof org.opentest4j.TestAbortedException)).isPresent()) {
            for (StompTestServer s : servers) {
                failureOutput.println("== " + context.getDisplayName() + " failed; frames seen by " + s.traceDump());
            }
        }
        for (StompTestServer s : servers) {
            s.close();
        }
        // Fields get a fresh server before the next test of a reused (PER_CLASS) instance.
        for (ServerField f : serverFields(context)) {
            if (servers.contains(f.get())) {
                f.set(null);
            }
        }
        servers.clear();
    }

    private StompTestServer newServer(ExtensionContext context) {
        StompTestServer server = new StompTestServer().start();
        servers(context).add(server);
        return server;
    }

    @SuppressWarnings("unchecked")
    private static List<StompTestServer> servers(ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(SERVERS, k -> new ArrayList<StompTestServer>(), List.class);
    }
}
