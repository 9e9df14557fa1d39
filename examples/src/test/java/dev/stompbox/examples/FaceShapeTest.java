package dev.stompbox.examples;

import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.protocol.connection.ConnectionConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The two clients are one shape: the same ways to make, ask, connect and close them, under the same names. */
class FaceShapeTest {
    private static final List<String> ACCESSORS = List.of("broker", "version", "isConnected", "bufferedBytes",
            "disconnected", "unknownSubscriptionMessages", "config", "connect", "disconnect", "close", "closeNow");

    @Test
    @DisplayName("both are AutoCloseable, made by create(uri) and create(config), with the same accessors and lifecycle calls")
    void sameShape() throws Exception {
        for (Class<?> face : List.of(StompClient.class, AsyncStompClient.class)) {
            assertThat(AutoCloseable.class).isAssignableFrom(face);
            assertThat(face.getConstructors()).as("%s has no public constructor: create(...) makes it", face).isEmpty();
            Method byUri = face.getMethod("create", String.class);
            assertThat(Modifier.isStatic(byUri.getModifiers())).isTrue();
            List<String> missing = new ArrayList<>();
            for (String name : ACCESSORS) {
                if (List.of(face.getMethods()).stream().noneMatch(m -> m.getName().equals(name) && m.getParameterCount() == 0)) {
                    missing.add(name);
                }
            }
            assertThat(missing).as("%s lacks", face.getSimpleName()).isEmpty();
            face.getMethod("connect", Duration.class);
        }
        StompClient.class.getMethod("create", StompClientConfig.class);
        AsyncStompClient.class.getMethod("create", AsyncStompClientConfig.class);
        assertThat(ConnectionConfig.class).isAssignableFrom(StompClientConfig.class).isAssignableFrom(AsyncStompClientConfig.class);
        StompClientConfig.class.getMethod("toBuilder");
        AsyncStompClientConfig.class.getMethod("toBuilder");
    }
}
