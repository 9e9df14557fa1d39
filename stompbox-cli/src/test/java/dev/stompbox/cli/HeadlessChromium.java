package dev.stompbox.cli;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium, headless, for tests that check what a page looks like once rendered. Absent, the
 * tests that need it are skipped, or fail when {@code STOMPBOX_REQUIRE_BROWSER=1} (as in CI, which
 * installs it). Each call is a process of its own with a fresh profile, killed by its handle if it
 * outlives the timeout.
 */
final class HeadlessChromium {
    private static final Path BINARY = Path.of(System.getenv().getOrDefault("STOMPBOX_CHROMIUM", "/usr/bin/chromium"));
    private static final long TIMEOUT_SECONDS = 90;

    private HeadlessChromium() {
    }

    static void assumeAvailable() {
        boolean present = Files.isExecutable(BINARY);
        if (!present && "1".equals(System.getenv("STOMPBOX_REQUIRE_BROWSER"))) {
            throw new AssertionError("STOMPBOX_REQUIRE_BROWSER=1 but there is no Chromium at " + BINARY);
        }
        Assumptions.assumeTrue(present, "no Chromium at " + BINARY + " (apt-get install chromium)");
    }

    /** The DOM after the page loaded and rendered, serialised. */
    static String dumpDom(Path page, Path work) throws IOException, InterruptedException {
        return run(work, "--dump-dom", page.toUri().toString());
    }

    /** A PNG of the page in a window of the given size. */
    static Path screenshot(Path page, Path work, int width, int height) throws IOException, InterruptedException {
        Path png = work.resolve("screenshot.png");
        run(work, "--screenshot=" + png, "--window-size=" + width + "," + height, "--hide-scrollbars", page.toUri().toString());
        return png;
    }

    private static String run(Path work, String... args) throws IOException, InterruptedException {
        // The network-facing features off: this machine's network is closed, and a report needs none.
        List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createTempDirectory(work, "chromium-profile")));
        cmd.addAll(List.of(args));
        Path stdout = Files.createTempFile(work, "chromium", ".out");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("Chromium did not finish within " + TIMEOUT_SECONDS + " s: " + cmd);
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("Chromium exited with " + p.exitValue() + ": " + cmd);
        }
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }
}
