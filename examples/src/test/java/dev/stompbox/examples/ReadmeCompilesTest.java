package dev.stompbox.examples;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every Java code block in the README compiles against the current API, so the README cannot
 * drift from it (those that can run against a broker also run, in the tests next to this one).
 * Each block is compiled in a method of its own, with the names it leaves to the reader (a
 * {@code frame}, a {@code log}, a {@code process(...)} of the application's) declared around it;
 * a block that declares a class is compiled as a class. {@code = ...;} stands for a value the
 * reader supplies.
 */
class ReadmeCompilesTest {
    private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

    private static final String IMPORTS = String.join("\n",
            "import dev.stompbox.protocol.*;",
            "import dev.stompbox.protocol.codec.*;",
            "import dev.stompbox.protocol.commands.*;",
            "import dev.stompbox.protocol.connection.*;",
            "import dev.stompbox.protocol.failover.*;",
            "import dev.stompbox.protocol.session.*;",
            "import dev.stompbox.client.*;",
            "import dev.stompbox.async.*;",
            "import dev.stompbox.testkit.*;",
            "import dev.stompbox.testkit.junit.*;",
            "import dev.stompbox.micrometer.*;",
            "import dev.stompbox.protocol.interceptor.*;",
            "import dev.stompbox.opentelemetry.StompTracing;",
            "import io.opentelemetry.api.OpenTelemetry;",
            "import dev.stompbox.spring.listener.StompListener;",
            "import org.springframework.messaging.handler.annotation.Header;",
            "import org.springframework.messaging.handler.annotation.SendTo;",
            "import org.springframework.stereotype.Component;",
            "import io.micrometer.core.instrument.MeterRegistry;",
            "import org.junit.jupiter.api.Test;",
            "import org.junit.jupiter.api.extension.ExtendWith;",
            "import java.io.*;",
            "import java.net.Socket;",
            "import java.nio.ByteBuffer;",
            "import java.time.*;",
            "import java.util.*;",
            "import java.util.concurrent.*;",
            "import static org.assertj.core.api.Assertions.assertThat;",
            "import static org.junit.jupiter.api.Assertions.*;",
            "");

    /** What the blocks leave to the reader: the application's values and methods. */
    private static final String AROUND = String.join("\n",
            "static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(\"readme\");",
            "StompFrame frame, message, messageFrame, connectedFrame, connectFrame;",
            "StompSession session;",
            "byte[] buffer, bytes, json;",
            "int bytesRead;",
            "ByteBuffer byteBuffer;",
            "OutputStream socketOutputStream;",
            "Object myHandler;",
            "Clock clock;",
            "javax.net.ssl.SSLContext mySslContext;",
            "byte[] readPayload() { return new byte[0]; }",
            "void handle(StompFrame f) { }",
            "void write(StompFrame f) { }",
            "void write(byte[] wire) { }",
            "void write(Socket s, StompFrame f) { }",
            "StompFrame read(Socket s, StompParser p) { return null; }",
            "long millis() { return 0; }",
            "long awaitServerOverdue(Socket s, StompParser p, StompSession x, Duration d) { return 0; }",
            "void reconnect() { }",
            "boolean tryConnect(BrokerAddress b) { return false; }",
            "String process(StompFrame f) { return \"\"; }",
            "int parse(String s) { return 0; }",
            "String json(int n) { return \"\"; }",
            "");

    @Test
    @DisplayName("every Java block in the README compiles")
    void everyJavaBlockCompiles() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        List<JavaFileObject> sources = new ArrayList<>();
        Matcher m = BLOCK.matcher(readme);
        int n = 0;
        while (m.find()) {
            n++;
            int line = (int) readme.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 2;
            String code = m.group(1).replaceAll("= \\.\\.\\.;", "= null;");
            boolean declaresClass = code.contains("\nclass ") || code.startsWith("class ") || code.contains(")\nclass ");
            String body = declaresClass ? code : "void block() throws Exception {\n" + code + "\n}";
            String name = "ReadmeBlock" + n + "AtLine" + line;
            String unit = IMPORTS + "class " + name + " {\n" + AROUND + body + "\n}\n";
            sources.add(new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return unit;
                }
            });
        }
        assertThat(n).as("Java blocks found in the README").isGreaterThanOrEqualTo(10);
        String example = Files.readString(Path.of("src/test/java/dev/stompbox/examples/ServerSilenceTest.java"));
        assertThat(readme).as("the test kit example runs verbatim as ServerSilenceTest")
                .contains(example.substring(example.indexOf("@ExtendWith(StompTestServerExtension.class)")));

        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Path out = Files.createTempDirectory("readme-blocks");
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> options = List.of("-classpath", classPath, "-d", out.toString(), "-proc:none", "-Xlint:none");
            boolean ok = compiler.getTask(null, files, diagnostics, options, null, sources).call();
            List<String> errors = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.ERROR) {
                    errors.add(d.getSource().getName() + ":" + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT));
                }
            }
            assertThat(errors).as("compile errors (README line = block's line + the error's line - wrapper lines)").isEmpty();
            assertThat(ok).isTrue();
        } finally {
            try (var walk = Files.walk(out)) {
                walk.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }
}
