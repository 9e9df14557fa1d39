package dev.stompbox.examples;

import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.client.StompClient;
import dev.stompbox.micrometer.MicrometerStompMetrics;
import dev.stompbox.opentelemetry.StompTracing;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.testkit.StompTestServer;
import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The published modules as a user's module path sees them: each has its module name, exports its API
 * packages and keeps its {@code internal} packages to itself.
 */
class PublishedModulesTest {
    private static ModuleDescriptor descriptor(Class<?> type) throws URISyntaxException {
        Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<ModuleReference> found = ModuleFinder.of(location).findAll();
        assertThat(found).as("one module at " + location).hasSize(1);
        return found.iterator().next().descriptor();
    }

    private static Set<String> exports(ModuleDescriptor d) {
        return d.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
    }

    @Test
    void eachPublishedJarIsANamedModuleThatExportsItsApiAndNotItsInternals() throws Exception {
        ModuleDescriptor protocol = descriptor(StompFrame.class);
        assertThat(protocol.name()).isEqualTo("dev.stompbox.protocol");
        assertThat(protocol.isAutomatic()).isFalse();
        assertThat(exports(protocol)).containsExactlyInAnyOrder("dev.stompbox.protocol", "dev.stompbox.protocol.codec",
                "dev.stompbox.protocol.commands", "dev.stompbox.protocol.connection", "dev.stompbox.protocol.failover",
                "dev.stompbox.protocol.interceptor", "dev.stompbox.protocol.metrics", "dev.stompbox.protocol.session");
        // The connection engine is the clients' only: exported to them by name, to nobody else.
        assertThat(protocol.exports()).filteredOn(ModuleDescriptor.Exports::isQualified)
                .singleElement().satisfies(e -> {
                    assertThat(e.source()).isEqualTo("dev.stompbox.protocol.internal.engine");
                    assertThat(e.targets()).containsExactlyInAnyOrder("dev.stompbox.client", "dev.stompbox.async");
                });
        assertThat(protocol.packages()).contains("dev.stompbox.protocol.internal");
        assertThat(protocol.requires()).extracting(ModuleDescriptor.Requires::name).containsOnly("java.base");

        ModuleDescriptor client = descriptor(StompClient.class);
        assertThat(client.name()).isEqualTo("dev.stompbox.client");
        assertThat(exports(client)).containsExactly("dev.stompbox.client");
        assertThat(client.packages()).contains("dev.stompbox.client.internal");

        assertThat(descriptor(AsyncStompClient.class).name()).isEqualTo("dev.stompbox.async");
        assertThat(exports(descriptor(AsyncStompClient.class))).containsExactly("dev.stompbox.async");

        ModuleDescriptor testkit = descriptor(StompTestServer.class);
        assertThat(testkit.name()).isEqualTo("dev.stompbox.testkit");
        assertThat(testkit.requires()).filteredOn(r -> r.name().equals("org.junit.jupiter.api"))
                .allSatisfy(r -> assertThat(r.modifiers()).contains(ModuleDescriptor.Requires.Modifier.STATIC))
                .hasSize(1);

        ModuleDescriptor micrometer = descriptor(MicrometerStompMetrics.class);
        assertThat(micrometer.name()).isEqualTo("dev.stompbox.micrometer");
        assertThat(exports(micrometer)).containsExactly("dev.stompbox.micrometer");

        ModuleDescriptor tracing = descriptor(StompTracing.class);
        assertThat(tracing.name()).isEqualTo("dev.stompbox.opentelemetry");
        assertThat(tracing.isAutomatic()).isFalse();
        assertThat(exports(tracing)).containsExactly("dev.stompbox.opentelemetry");
    }
}
