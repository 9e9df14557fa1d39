package dev.stompbox.spring.server;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.messaging.handler.annotation.SendTo;
import org.springframework.messaging.simp.annotation.SendToUser;
import org.springframework.messaging.simp.config.ChannelRegistration;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.messaging.support.MessageHeaderAccessor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.stereotype.Controller;
import org.springframework.web.socket.config.annotation.EnableWebSocketMessageBroker;
import org.springframework.web.socket.config.annotation.StompEndpointRegistry;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;

import java.security.Principal;

/**
 * The STOMP server Java teams meet most often: a Spring Boot WebSocket application with
 * {@code @EnableWebSocketMessageBroker}, STOMP at {@code /stomp}, {@code @MessageMapping} methods under
 * {@code /app}, and either Spring's simple broker ({@link SimpleBroker}) or its relay to a real broker
 * ({@link Relay}, to Artemis at {@code relay.port}). The CONNECT {@code login} becomes the user, as an
 * authenticating interceptor would make it, so that user destinations work.
 */
public final class SpringStompServer {
    private SpringStompServer() {
    }

    @Controller
    public static class Greetings {
        @MessageMapping("/greet")
        @SendTo("/topic/greetings")
        public String greet(String name) {
            return "Hello, " + name;
        }

        @MessageMapping("/whoami")
        @SendToUser("/queue/answers")
        public String whoami(Principal user) {
            return "you are " + user.getName();
        }
    }

    /** Shared by both: the endpoint, the /app prefix, and the user taken from CONNECT's login. */
    abstract static class Common implements WebSocketMessageBrokerConfigurer {
        @Override
        public void registerStompEndpoints(StompEndpointRegistry registry) {
            registry.addEndpoint("/stomp");
            // Without it Spring handles a session's frames on a pool, out of order: a SEND right after an
            // unconfirmed SUBSCRIBE (the simple broker sends no RECEIPT) could be answered before it exists.
            registry.setPreserveReceiveOrder(true);
        }

        @Override
        public void configureClientInboundChannel(ChannelRegistration registration) {
            registration.interceptors(new ChannelInterceptor() {
                @Override
                public Message<?> preSend(Message<?> message, MessageChannel channel) {
                    StompHeaderAccessor accessor = MessageHeaderAccessor.getAccessor(message, StompHeaderAccessor.class);
                    if (accessor != null && StompCommand.CONNECT.equals(accessor.getCommand()) && accessor.getLogin() != null) {
                        String login = accessor.getLogin();
                        accessor.setUser(() -> login);
                    }
                    return message;
                }
            });
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration(excludeName = "dev.stompbox.spring.boot.StompboxAutoConfiguration")
    @EnableWebSocketMessageBroker
    @Import(Greetings.class)
    public static class SimpleBroker extends Common {
        @Override
        public void configureMessageBroker(MessageBrokerRegistry registry) {
            simpleBroker(registry);
        }
    }

    /** The same server, with the Stompbox starter in the application too, its client talking to the server itself. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @EnableWebSocketMessageBroker
    @Import({Greetings.class, OwnListener.class})
    public static class SimpleBrokerWithStarter extends Common {
        @Override
        public void configureMessageBroker(MessageBrokerRegistry registry) {
            simpleBroker(registry);
        }
    }

    /** A listener on the application's own server: no receipts there, so not confirmed. */
    public static class OwnListener {
        public final java.util.concurrent.BlockingQueue<String> greetings = new java.util.concurrent.LinkedBlockingQueue<>();

        @dev.stompbox.spring.listener.StompListener(destination = "/topic/greetings", ack = dev.stompbox.protocol.AckMode.AUTO,
                confirm = false)
        public void greeting(String body) {
            greetings.add(body);
        }
    }

    static void simpleBroker(MessageBrokerRegistry registry) {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setThreadNamePrefix("spring-heartbeat-");
        scheduler.initialize();
        // Spring's simple broker beats only with a scheduler; 1 s both ways, to be seen in a short test.
        registry.enableSimpleBroker("/topic", "/queue").setHeartbeatValue(new long[]{1000, 1000}).setTaskScheduler(scheduler);
        registry.setApplicationDestinationPrefixes("/app");
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration(excludeName = "dev.stompbox.spring.boot.StompboxAutoConfiguration")
    @EnableWebSocketMessageBroker
    @Import(Greetings.class)
    public static class Relay extends Common {
        private final int port;

        public Relay(@org.springframework.beans.factory.annotation.Value("${relay.port}") int port) {
            this.port = port;
        }

        @Override
        public void configureMessageBroker(MessageBrokerRegistry registry) {
            registry.enableStompBrokerRelay("/topic", "/queue").setRelayHost("127.0.0.1").setRelayPort(port)
                    .setVirtualHost("/");
            registry.setApplicationDestinationPrefixes("/app");
        }
    }
}
