package dev.stompbox.spring.boot;

import dev.stompbox.protocol.connection.ConnectionConfig;

/**
 * Changes the clients' settings after the {@code stompbox.*} properties were applied, for what
 * properties cannot say (parser limits, CONNECT headers, a Netty event loop group). Called for each
 * client the starter makes, the asynchronous one and, when enabled, the blocking one; the builder is
 * that client's ({@code AsyncStompClientConfig.Builder} or {@code StompClientConfig.Builder}).
 *
 * <pre>{@code
 * @Bean
 * StompboxConfigCustomizer limits() {
 *     return builder -> builder.parserLimits(ParserLimits.defaults().withMaxFrameSize(16 << 20));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface StompboxConfigCustomizer {
    void customize(ConnectionConfig.Builder<?> builder);
}
