package dev.stompbox.spring.boot.internal;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.messaging.converter.ByteArrayMessageConverter;
import org.springframework.messaging.converter.CompositeMessageConverter;
import org.springframework.messaging.converter.JacksonJsonMessageConverter;
import org.springframework.messaging.converter.MessageConverter;
import org.springframework.messaging.converter.StringMessageConverter;
import org.springframework.util.ClassUtils;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;

/** The default body converter: text, bytes, and JSON when Jackson is on the class path. */
public final class Converters {
    private static final boolean JACKSON = ClassUtils.isPresent("tools.jackson.databind.json.JsonMapper", Converters.class.getClassLoader());

    private Converters() {
    }

    public static MessageConverter defaults(BeanFactory beans) {
        List<MessageConverter> converters = new ArrayList<>(List.of(new StringMessageConverter(), new ByteArrayMessageConverter()));
        if (JACKSON) {
            converters.add(Json.converter(beans));
        }
        return new CompositeMessageConverter(converters);
    }

    /** Touches Jackson's classes only when they are there. */
    private static final class Json {
        static MessageConverter converter(BeanFactory beans) {
            JsonMapper mapper = beans.getBeanProvider(JsonMapper.class).getIfAvailable();
            return mapper != null ? new JacksonJsonMessageConverter(mapper) : new JacksonJsonMessageConverter();
        }
    }
}
