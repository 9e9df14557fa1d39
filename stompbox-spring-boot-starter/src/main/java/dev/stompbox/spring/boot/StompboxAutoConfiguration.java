package dev.stompbox.spring.boot;

import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.micrometer.MicrometerStompMetrics;
import dev.stompbox.opentelemetry.StompTracing;
import dev.stompbox.protocol.connection.ConnectionListener;
import dev.stompbox.protocol.interceptor.StompInterceptor;
import dev.stompbox.protocol.metrics.StompMetrics;
import dev.stompbox.spring.boot.internal.ClientMetrics;
import dev.stompbox.spring.boot.internal.ConnectionStatus;
import dev.stompbox.spring.boot.internal.Converters;
import dev.stompbox.spring.boot.internal.Interceptors;
import dev.stompbox.spring.boot.internal.Settings;
import dev.stompbox.spring.listener.StompListenerContainer;
import dev.stompbox.spring.listener.StompListenerMethodProcessor;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.converter.MessageConverter;

import javax.net.ssl.SSLContext;
import java.util.List;

/**
 * Makes the Stompbox asynchronous client from the {@code stompbox.*} properties
 * ({@link StompboxProperties}), connects it with the context and disconnects it gracefully with
 * it ({@link StompboxClientLifecycle}), runs the {@code @StompListener} methods, and, when they are
 * there, binds Micrometer meters to the context's registry, traces with the context's
 * OpenTelemetry ({@code stompbox-opentelemetry}; off with {@code stompbox.tracing.enabled=false}) and
 * reports Actuator health as {@code stompbox}. The application's {@code StompInterceptor} and
 * {@code ConnectionListener} beans are given to the clients. The blocking client is made too with {@code stompbox.blocking.enabled=true}.
 * Every bean steps aside for one of the application's own of the same type.
 *
 * <pre>{@code
 * <dependency>
 *   <groupId>dev.stompbox</groupId>
 *   <artifactId>stompbox-spring-boot-starter</artifactId>
 * </dependency>
 * }</pre>
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration"})
@ConditionalOnClass(AsyncStompClient.class)
@EnableConfigurationProperties(StompboxProperties.class)
public class StompboxAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "stompboxConnectionStatus")
    ConnectionStatus stompboxConnectionStatus(ObjectProvider<ConnectionListener> listeners) {
        return new ConnectionStatus(() -> applicationListeners(listeners));
    }

    private static List<ConnectionListener> applicationListeners(ObjectProvider<ConnectionListener> listeners) {
        return listeners.orderedStream().filter(l -> !(l instanceof ConnectionStatus)).toList();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    AsyncStompClient stompboxAsyncClient(StompboxProperties properties, ObjectProvider<SslBundles> bundles,
                                         ObjectProvider<ClientMetrics> metrics, ObjectProvider<StompboxConfigCustomizer> customizers,
                                         ObjectProvider<StompInterceptor> interceptors,
                                         @Qualifier("stompboxConnectionStatus") ConnectionStatus status) {
        AsyncStompClientConfig.Builder b = Settings.apply(properties, AsyncStompClientConfig.builder(Settings.url(properties)),
                ssl(properties, bundles), status, metrics(metrics, properties.getClientName()), interceptor(interceptors));
        StompboxProperties.Async async = properties.getAsync();
        if (async.getMaxConcurrency() != null) {
            b.maxConcurrency(async.getMaxConcurrency());
        }
        if (async.getMaxBufferedMessages() != null) {
            b.maxBufferedMessages(async.getMaxBufferedMessages());
        }
        customizers.orderedStream().forEach(c -> c.customize(b));
        return AsyncStompClient.create(b.build());
    }

    static SSLContext ssl(StompboxProperties properties, ObjectProvider<SslBundles> bundles) {
        String bundle = properties.getSsl().getBundle();
        if (bundle == null || bundle.isBlank()) {
            return null;
        }
        SslBundles all = bundles.getIfAvailable();
        if (all == null) {
            throw new IllegalStateException("stompbox.ssl.bundle=" + bundle + " but the application has no SSL bundles (spring.ssl.bundle.*)");
        }
        return all.getBundle(bundle).createSslContext();
    }

    static StompInterceptor interceptor(ObjectProvider<StompInterceptor> interceptors) {
        return Interceptors.of(interceptors.orderedStream().toList());
    }

    static StompMetrics metrics(ObjectProvider<ClientMetrics> metrics, String name) {
        ClientMetrics m = metrics.getIfAvailable();
        return m != null ? m.forClient(name) : StompMetrics.NONE;
    }

    @Bean
    @ConditionalOnMissingBean
    StompboxClientLifecycle stompboxClientLifecycle(AsyncStompClient client, StompboxProperties properties) {
        return new StompboxClientLifecycle(client, properties);
    }

    @Bean
    @ConditionalOnMissingBean
    static StompListenerMethodProcessor stompListenerMethodProcessor() {
        return new StompListenerMethodProcessor();
    }

    @Bean(name = StompListenerMethodProcessor.CONVERTER_BEAN)
    @ConditionalOnMissingBean(name = StompListenerMethodProcessor.CONVERTER_BEAN)
    MessageConverter stompboxMessageConverter(BeanFactory beans) {
        return Converters.defaults(beans);
    }

    @Bean
    @ConditionalOnMissingBean
    StompListenerContainer stompListenerContainer(StompboxClientLifecycle lifecycle, AsyncStompClient client,
                                                  StompListenerMethodProcessor methods, StompboxProperties properties) {
        return new StompListenerContainer(lifecycle, client, methods, properties.getListener());
    }

    /** Micrometer meters, tagged with the client's name, when the application has a registry. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({MeterRegistry.class, MicrometerStompMetrics.class})
    static class Metrics {
        @Bean
        ClientMetrics stompboxClientMetrics(ObjectProvider<MeterRegistry> registry) {
            return name -> {
                MeterRegistry r = registry.getIfAvailable();
                return r != null ? MicrometerStompMetrics.of(r, name) : StompMetrics.NONE;
            };
        }
    }

    /** OpenTelemetry tracing of both clients when stompbox-opentelemetry is there and the application has an OpenTelemetry. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({StompTracing.class, OpenTelemetry.class})
    @ConditionalOnBean(OpenTelemetry.class)
    @ConditionalOnProperty(prefix = "stompbox.tracing", name = "enabled", havingValue = "true", matchIfMissing = true)
    static class Tracing {
        @Bean
        @ConditionalOnMissingBean(StompTracing.class)
        StompTracing stompboxTracing(OpenTelemetry openTelemetry) {
            return StompTracing.create(openTelemetry);
        }
    }

    /** The Actuator health indicator {@code stompbox}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("stompbox")
    static class Health {
        @Bean
        @ConditionalOnMissingBean(name = "stompboxHealthIndicator")
        StompboxHealthIndicator stompboxHealthIndicator(AsyncStompClient client,
                                                        @Qualifier("stompboxConnectionStatus") ConnectionStatus status) {
            return new StompboxHealthIndicator(client, status);
        }
    }

    /** The blocking client, on request. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(StompClient.class)
    @ConditionalOnProperty(prefix = "stompbox.blocking", name = "enabled", havingValue = "true")
    static class Blocking {
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        StompClient stompboxBlockingClient(StompboxProperties properties, ObjectProvider<SslBundles> bundles,
                                           ObjectProvider<ClientMetrics> metrics, ObjectProvider<StompboxConfigCustomizer> customizers,
                                           ObjectProvider<ConnectionListener> listeners, ObjectProvider<StompInterceptor> interceptors) {
            StompClientConfig.Builder b = Settings.apply(properties, StompClientConfig.builder(Settings.url(properties)),
                    ssl(properties, bundles), new ConnectionStatus(() -> applicationListeners(listeners)),
                    metrics(metrics, properties.getClientName() + "-blocking"), interceptor(interceptors));
            customizers.orderedStream().forEach(c -> c.customize(b));
            return StompClient.create(b.build());
        }

        @Bean
        @ConditionalOnMissingBean
        StompboxBlockingClientLifecycle stompboxBlockingClientLifecycle(StompClient client, StompboxProperties properties) {
            return new StompboxBlockingClientLifecycle(client, properties);
        }
    }
}
