package dev.stompbox.spring;

import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.client.StompClient;
import dev.stompbox.micrometer.MicrometerStompMetrics;
import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.codec.ParserLimits;
import dev.stompbox.protocol.metrics.StompMetrics;
import dev.stompbox.spring.boot.StompboxAutoConfiguration;
import dev.stompbox.spring.boot.StompboxClientLifecycle;
import dev.stompbox.spring.boot.StompboxConfigCustomizer;
import dev.stompbox.spring.boot.StompboxHealthIndicator;
import dev.stompbox.spring.listener.StompListenerContainer;
import dev.stompbox.spring.listener.StompListenerMethodProcessor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.messaging.converter.MessageConverter;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The auto-configuration alone, without starting anything: which beans it makes, and how each
 * {@code stompbox.*} property reaches the client's settings.
 */
class StompboxAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(StompboxAutoConfiguration.class));

    private static AsyncStompClientConfig config(org.springframework.context.ApplicationContext context) {
        return context.getBean(AsyncStompClient.class).config();
    }

    @Test
    @DisplayName("with no properties: the asynchronous client for localhost that reconnects, its lifecycle, the listener container, the converter and health; no blocking client")
    void defaults() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(AsyncStompClient.class).hasSingleBean(StompboxClientLifecycle.class)
                    .hasSingleBean(StompListenerContainer.class).hasSingleBean(StompListenerMethodProcessor.class)
                    .hasBean(StompListenerMethodProcessor.CONVERTER_BEAN).hasSingleBean(StompboxHealthIndicator.class)
                    .doesNotHaveBean(StompClient.class);
            AsyncStompClientConfig config = config(context);
            assertThat(config.uri()).isEqualTo("failover:(tcp://localhost:61613)");
            assertThat(config.autoReconnect()).isTrue();
            assertThat(config.atLeastOnce()).isFalse();
            assertThat(config.receiptTimeout()).as("unset durations keep the library's defaults")
                    .isEqualTo(AsyncStompClientConfig.builder("tcp://x:1").build().receiptTimeout());
            assertThat(config.metrics()).as("no registry, no meters").isSameAs(StompMetrics.NONE);
        });
    }

    @Test
    @DisplayName("every property reaches the client's settings; the passcode is never shown")
    void propertiesReachTheConfig() {
        runner.withPropertyValues("stompbox.url=failover:(tcp://a:1,tcp://b:2)?randomize=false", "stompbox.login=app",
                "stompbox.passcode=s3cret", "stompbox.virtual-host=orders", "stompbox.heart-beat.send=5s",
                "stompbox.heart-beat.receive=7s", "stompbox.connect-timeout=2s", "stompbox.connected-timeout=3s",
                "stompbox.receipt-timeout=4s", "stompbox.disconnect-timeout=6s", "stompbox.write-timeout=8s",
                "stompbox.at-least-once=true", "stompbox.ssl.hostname-verification=false",
                "stompbox.async.max-concurrency=12", "stompbox.async.max-buffered-messages=34").run(context -> {
            AsyncStompClientConfig c = config(context);
            assertThat(c.uri()).as("a failover URL is taken as written").isEqualTo("failover:(tcp://a:1,tcp://b:2)?randomize=false");
            assertThat(c.login()).isEqualTo("app");
            assertThat(c.passcode()).isEqualTo("s3cret");
            assertThat(c.virtualHost()).isEqualTo("orders");
            assertThat(c.heartBeat()).isEqualTo(new HeartBeat(5000, 7000));
            assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(c.connectedTimeout()).isEqualTo(Duration.ofSeconds(3));
            assertThat(c.receiptTimeout()).isEqualTo(Duration.ofSeconds(4));
            assertThat(c.disconnectTimeout()).isEqualTo(Duration.ofSeconds(6));
            assertThat(c.writeTimeout()).isEqualTo(Duration.ofSeconds(8));
            assertThat(c.atLeastOnce()).isTrue();
            assertThat(c.hostnameVerification()).isFalse();
            assertThat(c.maxConcurrency()).isEqualTo(12);
            assertThat(c.maxBufferedMessages()).isEqualTo(34);
            assertThat(c.toString()).doesNotContain("s3cret");
            assertThat(context.getBean(AsyncStompClient.class).toString()).doesNotContain("s3cret");
        });
    }

    @Test
    @DisplayName("credentials written into the URL stop the start, and no message repeats them; health never shows the passcode")
    void credentialsInTheUrl() {
        runner.withPropertyValues("stompbox.url=failover:(tcp://app:s3cret@127.0.0.1:1,tcp://127.0.0.1:2)")
                .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining("set login and passcode")
                        .satisfies(f -> assertThat(stackTrace(f)).doesNotContain("s3cret")));
        runner.withPropertyValues("stompbox.url=tcp://127.0.0.1:1", "stompbox.passcode=s3cret")
                .run(context -> assertThat(context.getBean(StompboxHealthIndicator.class).health().getDetails().toString())
                        .doesNotContain("s3cret"));
    }

    private static String stackTrace(Throwable t) {
        java.io.StringWriter out = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }

    @Test
    @DisplayName("one heart-beat direction set: the other keeps 10 s")
    void oneHeartBeatDirection() {
        runner.withPropertyValues("stompbox.heart-beat.receive=0s")
                .run(context -> assertThat(config(context).heartBeat()).isEqualTo(new HeartBeat(10_000, 0)));
    }

    @Test
    @DisplayName("without auto-reconnect the URL is taken as written: one broker, one attempt")
    void noAutoReconnect() {
        runner.withPropertyValues("stompbox.url=tcp://broker:61613", "stompbox.auto-reconnect=false").run(context -> {
            assertThat(config(context).uri()).isEqualTo("tcp://broker:61613");
            assertThat(config(context).autoReconnect()).isFalse();
        });
    }

    @Test
    @DisplayName("the blocking client only on request, with the same settings and its own meter name")
    void blockingOnRequest() {
        runner.withPropertyValues("stompbox.blocking.enabled=true", "stompbox.login=app", "stompbox.url=tcp://h:1")
                .withBean(SimpleMeterRegistry.class).run(context -> {
                    StompClient blocking = context.getBean(StompClient.class);
                    assertThat(blocking.config().uri()).isEqualTo("failover:(tcp://h:1)");
                    assertThat(blocking.config().login()).isEqualTo("app");
                    assertThat(context.getBean(MeterRegistry.class).find("stomp.client.connections").tag("client", "stompbox-blocking").gauge())
                            .isNotNull();
                });
    }

    @Test
    @DisplayName("the blocking client with a WebSocket URL stops the start and says why; the asynchronous client alone takes it")
    void blockingRefusesWebSocket() {
        runner.withPropertyValues("stompbox.blocking.enabled=true", "stompbox.url=ws://h:1/stomp")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .hasStackTraceContaining("The blocking client speaks STOMP over TCP and TLS, not WebSocket: ws://h:1/stomp"));
        runner.withPropertyValues("stompbox.url=ws://h:1/stomp")
                .run(context -> assertThat(config(context).failoverUri().brokers()).singleElement().hasToString("ws://h:1/stomp"));
    }

    @Test
    @DisplayName("Micrometer meters are bound to the context's registry, tagged with the client name")
    void metrics() {
        runner.withPropertyValues("stompbox.client-name=orders").withBean(SimpleMeterRegistry.class).run(context -> {
            assertThat(config(context).metrics()).isInstanceOf(MicrometerStompMetrics.class);
            assertThat(context.getBean(MeterRegistry.class).find("stomp.client.connections").tag("client", "orders").gauge()).isNotNull();
        });
    }

    @Test
    @DisplayName("no meters and no failure when Micrometer or stompbox-micrometer is absent")
    void withoutMicrometer() {
        runner.withClassLoader(new FilteredClassLoader(MicrometerStompMetrics.class)).withBean(SimpleMeterRegistry.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(config(context).metrics()).isSameAs(StompMetrics.NONE);
                });
    }

    @Test
    @DisplayName("no health indicator without Boot's health module, or when turned off")
    void healthOptional() {
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(StompboxHealthIndicator.class));
        runner.withPropertyValues("management.health.stompbox.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(StompboxHealthIndicator.class));
    }

    @Test
    @DisplayName("TLS material comes from the named Spring Boot SSL bundle; a missing bundle fails the start, naming it")
    void sslBundle() {
        SslBundle bundle = SslBundle.systemDefault();
        runner.withPropertyValues("stompbox.ssl.bundle=broker", "stompbox.url=ssl://h:61614")
                .withBean(SslBundles.class, () -> new DefaultSslBundleRegistry("broker", bundle)).run(context -> {
                    assertThat(config(context).sslContext()).isNotNull();
                    assertThat(config(context).sslContext().getProtocol()).isEqualTo(bundle.createSslContext().getProtocol());
                });
        runner.withPropertyValues("stompbox.ssl.bundle=nowhere")
                .withBean(SslBundles.class, () -> new DefaultSslBundleRegistry("broker", bundle))
                .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining("nowhere"));
    }

    @Test
    @DisplayName("customizers see the builder after the properties; the application's own client and converter replace the starter's")
    void customizersAndOverrides() {
        runner.withBean("limits", StompboxConfigCustomizer.class, () -> b -> b.parserLimits(ParserLimits.defaults().withMaxHeaders(7)))
                .withPropertyValues("stompbox.login=from-properties")
                .withBean("login", StompboxConfigCustomizer.class, () -> b -> b.login("customized"))
                .run(context -> {
                    assertThat(config(context).parserLimits().maxHeaders()).isEqualTo(7);
                    assertThat(config(context).login()).as("applied after the properties").isEqualTo("customized");
                });
        AsyncStompClient own = AsyncStompClient.create("tcp://mine:1");
        MessageConverter converter = new org.springframework.messaging.converter.StringMessageConverter();
        runner.withBean(AsyncStompClient.class, () -> own)
                .withBean(StompListenerMethodProcessor.CONVERTER_BEAN, MessageConverter.class, () -> converter).run(context -> {
                    assertThat(context.getBean(AsyncStompClient.class)).isSameAs(own);
                    assertThat(context.getBean(StompListenerMethodProcessor.CONVERTER_BEAN)).isSameAs(converter);
                });
        own.closeNow();
    }

    @Test
    @DisplayName("with stompbox-opentelemetry and an OpenTelemetry bean both clients trace; off by property; nothing without the bean or the module")
    void tracing() {
        io.opentelemetry.api.OpenTelemetry otel = io.opentelemetry.api.OpenTelemetry.noop();
        runner.withBean(io.opentelemetry.api.OpenTelemetry.class, () -> otel).withPropertyValues("stompbox.blocking.enabled=true")
                .run(context -> {
                    assertThat(config(context).interceptor()).isInstanceOf(dev.stompbox.opentelemetry.StompTracing.class);
                    assertThat(context.getBean(StompClient.class).config().interceptor()).isInstanceOf(dev.stompbox.opentelemetry.StompTracing.class);
                });
        runner.withBean(io.opentelemetry.api.OpenTelemetry.class, () -> otel).withPropertyValues("stompbox.tracing.enabled=false")
                .run(context -> assertThat(config(context).interceptor()).isSameAs(dev.stompbox.protocol.interceptor.StompInterceptor.NONE));
        runner.run(context -> assertThat(config(context).interceptor()).isSameAs(dev.stompbox.protocol.interceptor.StompInterceptor.NONE));
        runner.withClassLoader(new FilteredClassLoader(dev.stompbox.opentelemetry.StompTracing.class))
                .withBean(io.opentelemetry.api.OpenTelemetry.class, () -> otel).run(context -> {
                    assertThat(context).as("without stompbox-opentelemetry").hasNotFailed();
                    assertThat(config(context).interceptor()).isSameAs(dev.stompbox.protocol.interceptor.StompInterceptor.NONE);
                });
    }

    @Test
    @DisplayName("the application's interceptors all see each SEND, in order; their scopes end in reverse")
    void interceptorsInOrder() {
        java.util.List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        runner.withBean("first", dev.stompbox.protocol.interceptor.StompInterceptor.class, () -> recording("first", heard))
                .withBean("second", dev.stompbox.protocol.interceptor.StompInterceptor.class, () -> recording("second", heard))
                .run(context -> {
                    var interceptor = config(context).interceptor();
                    java.util.Map<String, String> headers = new java.util.HashMap<>();
                    interceptor.beforeSend("/queue/q", headers).sent(null);
                    var scope = interceptor.beforeMessage(dev.stompbox.protocol.StompFrame.of(dev.stompbox.protocol.StompCommand.MESSAGE),
                            dev.stompbox.protocol.interceptor.StompInterceptor.Delivery.HANDLER);
                    scope.close();
                    scope.handled(null);
                    assertThat(headers).containsOnlyKeys("first", "second");
                    assertThat(heard).containsExactly("first send", "second send", "second sent", "first sent",
                            "first message", "second message", "second close", "first close", "second handled", "first handled");
                });
    }

    private static dev.stompbox.protocol.interceptor.StompInterceptor recording(String name, java.util.List<String> heard) {
        return new dev.stompbox.protocol.interceptor.StompInterceptor() {
            @Override
            public dev.stompbox.protocol.interceptor.SendScope beforeSend(String destination, java.util.Map<String, String> headers) {
                heard.add(name + " send");
                headers.put(name, "x");
                return failure -> heard.add(name + " sent");
            }

            @Override
            public dev.stompbox.protocol.interceptor.MessageScope beforeMessage(dev.stompbox.protocol.StompFrame m, Delivery d) {
                heard.add(name + " message");
                return new dev.stompbox.protocol.interceptor.MessageScope() {
                    @Override
                    public void close() {
                        heard.add(name + " close");
                    }

                    @Override
                    public void handled(Throwable failure) {
                        heard.add(name + " handled");
                    }
                };
            }
        };
    }

    @Test
    @DisplayName("IDE metadata lists the properties with their descriptions and defaults")
    void metadata() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).isNotNull();
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(json).contains("\"name\": \"stompbox.url\"", "\"name\": \"stompbox.startup.fail-fast\"",
                    "\"name\": \"stompbox.heart-beat.send\"", "\"name\": \"stompbox.ssl.bundle\"",
                    "\"name\": \"stompbox.listener.shutdown-timeout\"", "\"defaultValue\": \"tcp:\\/\\/localhost:61613\"",
                    "The name of a Spring Boot SSL bundle");
        }
    }
}
