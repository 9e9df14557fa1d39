package dev.stompbox.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The house rule on size, checked over every module's main sources: no file over 600 lines without
 * the reason written at its top ({@code // Over 600 lines on purpose: ...}), and neither client class
 * over 500.
 */
class SourceSizeTest {
    private static final Path ROOT = Path.of("..");

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> mainSources() throws IOException {
        try (Stream<Path> modules = Files.list(ROOT)) {
            List<Path> roots = modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).collect(Collectors.toList());
            List<Path> files = new java.util.ArrayList<>();
            for (Path r : roots) {
                try (Stream<Path> walk = Files.walk(r)) {
                    walk.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
                }
            }
            return files;
        }
    }

    @Test
    void noMainSourceFileRunsPast600LinesWithoutItsReasonAtTheTop() throws IOException {
        List<Path> files = mainSources();
        assertThat(files).as("the modules' main sources, found from the examples module").hasSizeGreaterThan(100);
        List<String> unexplained = files.stream()
                .filter(p -> {
                    List<String> text = lines(p);
                    return text.size() > 600 && !text.get(0).startsWith("// Over 600 lines on purpose: ");
                })
                .map(p -> ROOT.relativize(p) + " (" + lines(p).size() + " lines)")
                .collect(Collectors.toList());
        assertThat(unexplained).as("files over 600 lines with no reason at their top").isEmpty();
    }

    @Test
    void neitherClientClassRunsPast500Lines() {
        for (String client : List.of("stompbox-client/src/main/java/dev/stompbox/client/StompClient.java",
                "stompbox-async/src/main/java/dev/stompbox/async/AsyncStompClient.java")) {
            assertThat(lines(ROOT.resolve(client)).size()).as("lines in " + client).isLessThanOrEqualTo(500);
        }
    }
}
