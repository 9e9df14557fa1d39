package dev.stompbox.spring.listener.internal;

import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.MessageHandler;
import dev.stompbox.protocol.StompFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.MethodParameter;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.messaging.converter.MessageConverter;
import org.springframework.messaging.converter.SmartMessageConverter;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.Headers;
import org.springframework.messaging.handler.annotation.ValueConstants;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.MimeType;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Calls one listener method for each MESSAGE: binds its arguments from the frame, and sends what it
 * returns on. Every binding is decided once, when the method is found, not per message.
 */
public final class ListenerMethodHandler implements MessageHandler {
    private static final Logger log = LoggerFactory.getLogger(ListenerMethodHandler.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    private static final String TEXT = "text/plain;charset=UTF-8";

    /** Takes one argument from the message. */
    @FunctionalInterface
    private interface Argument {
        Object from(AsyncStompClient client, StompFrame frame);
    }

    private final Object bean;
    private final Method method;
    private final Argument[] arguments;
    private final String sendTo;
    private final Supplier<MessageConverter> converter;
    private final InFlight inFlight;
    private volatile boolean warnedNoDestination;

    public ListenerMethodHandler(Object bean, Method method, String sendTo, Supplier<MessageConverter> converter, InFlight inFlight) {
        this.bean = bean;
        this.method = method;
        this.sendTo = sendTo;
        this.converter = converter;
        this.inFlight = inFlight;
        method.setAccessible(true);
        arguments = new Argument[method.getParameterCount()];
        int payloads = 0;
        for (int i = 0; i < arguments.length; i++) {
            MethodParameter p = new MethodParameter(method, i);
            arguments[i] = argument(p);
            if (arguments[i] instanceof Payload) {
                payloads++;
            }
        }
        if (payloads > 1) {
            throw new IllegalStateException(method + ": at most one parameter can be the body; mark headers with @Header");
        }
    }

    private Argument argument(MethodParameter p) {
        Class<?> type = p.getParameterType();
        Header header = p.getParameterAnnotation(Header.class);
        if (header != null) {
            return header(p, header);
        }
        if (p.hasParameterAnnotation(Headers.class)) {
            if (!Map.class.isAssignableFrom(type)) {
                throw new IllegalStateException(method + ": @Headers needs a Map<String, String> parameter");
            }
            return (client, frame) -> frame.headerMap();
        }
        if (StompFrame.class.equals(type)) {
            return (client, frame) -> frame;
        }
        if (AsyncStompClient.class.equals(type)) {
            return (client, frame) -> client;
        }
        return new Payload(p);
    }

    private Argument header(MethodParameter p, Header header) {
        String name = !header.name().isEmpty() ? header.name() : !header.value().isEmpty() ? header.value() : p.getParameterName();
        if (name == null) {
            throw new IllegalStateException(method + ": name the header of parameter " + p.getParameterIndex()
                    + " in @Header (parameter names are not compiled in)");
        }
        String fallback = ValueConstants.DEFAULT_NONE.equals(header.defaultValue()) ? null : header.defaultValue();
        boolean required = header.required() && fallback == null;
        if (!required && fallback == null && p.getParameterType().isPrimitive()) {
            throw new IllegalStateException(method + ": optional header '" + name + "' cannot be a " + p.getParameterType()
                    + " (it may be missing); give it a defaultValue or use the boxed type");
        }
        TypeDescriptor target = new TypeDescriptor(p);
        ConversionService conversion = DefaultConversionService.getSharedInstance();
        return (client, frame) -> {
            String value = frame.header(name, fallback);
            if (value == null && required) {
                throw new MessageConversionException("header '" + name + "' missing, which " + method.getName() + " requires");
            }
            return conversion.convert(value, TypeDescriptor.valueOf(String.class), target);
        };
    }

    /** The body, as the parameter wants it. */
    private final class Payload implements Argument {
        private final MethodParameter parameter;
        private final Class<?> type;

        Payload(MethodParameter parameter) {
            this.parameter = parameter;
            this.type = parameter.getParameterType();
        }

        @Override
        public Object from(AsyncStompClient client, StompFrame frame) {
            if (type == String.class) {
                return frame.bodyAsString(charset(frame));
            }
            if (type == byte[].class) {
                return frame.body();
            }
            Message<byte[]> message = message(frame);
            MessageConverter c = converter.get();
            Object value = c instanceof SmartMessageConverter smart ? smart.fromMessage(message, type, parameter) : c.fromMessage(message, type);
            if (value == null) {
                throw new MessageConversionException(message, "cannot convert a body of content-type "
                        + frame.header("content-type", "(none)") + " to " + type.getName() + " for " + method.getName());
            }
            return value;
        }
    }

    /** The charset the frame's content-type names; UTF-8, STOMP's default, when it names none. */
    private Charset charset(StompFrame frame) {
        String contentType = frame.header("content-type");
        if (contentType == null) {
            return StandardCharsets.UTF_8;
        }
        try {
            Charset charset = MimeType.valueOf(contentType).getCharset();
            return charset != null ? charset : StandardCharsets.UTF_8;
        } catch (RuntimeException e) {
            throw new MessageConversionException("cannot read the body of " + method.getName() + "'s message as text: content-type '"
                    + contentType + "': " + e.getMessage(), e);
        }
    }


    private static Message<byte[]> message(StompFrame frame) {
        MessageBuilder<byte[]> b = MessageBuilder.withPayload(frame.body()).copyHeaders(frame.headerMap());
        String contentType = frame.header("content-type");
        if (contentType != null) {
            b.setHeader(MessageHeaders.CONTENT_TYPE, MimeType.valueOf(contentType));
        }
        return b.build();
    }

    @Override
    public CompletionStage<?> handle(AsyncStompClient client, StompFrame frame) throws Exception {
        inFlight.enter();
        CompletionStage<?> done;
        try {
            Object[] args = new Object[arguments.length];
            for (int i = 0; i < args.length; i++) {
                args[i] = arguments[i].from(client, frame);
            }
            Object result = invoke(args);
            done = result instanceof CompletionStage<?> stage
                    ? stage.thenCompose(value -> reply(client, frame, value))
                    : reply(client, frame, result);
        } catch (Exception | Error e) {
            inFlight.exit();
            throw e;
        }
        return done.whenComplete((v, e) -> inFlight.exit());
    }

    private Object invoke(Object[] args) throws Exception {
        try {
            return method.invoke(bean, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw (Error) cause;
        }
    }

    private CompletionStage<?> reply(AsyncStompClient client, StompFrame request, Object value) {
        if (value == null) {
            return DONE;
        }
        String destination = sendTo != null ? sendTo : request.header("reply-to");
        if (destination == null) {
            if (!warnedNoDestination) {
                warnedNoDestination = true;
                log.warn("{} returned a value, but has no @SendTo and the message no reply-to header: the value is dropped", method);
            }
            return DONE;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        byte[] body;
        if (value instanceof byte[] bytes) {
            body = bytes;
        } else if (value instanceof String text) {
            body = text.getBytes(StandardCharsets.UTF_8);
            headers.put("content-type", TEXT);
        } else {
            Message<?> message = converter.get().toMessage(value, null);
            if (message == null) {
                throw new MessageConversionException("cannot convert the reply " + value.getClass().getName() + " of " + method.getName());
            }
            Object payload = message.getPayload();
            body = payload instanceof byte[] bytes ? bytes : payload.toString().getBytes(StandardCharsets.UTF_8);
            Object contentType = message.getHeaders().get(MessageHeaders.CONTENT_TYPE);
            if (contentType != null) {
                headers.put("content-type", contentType.toString());
            }
        }
        String correlation = request.header("correlation-id");
        if (correlation != null) {
            headers.put("correlation-id", correlation);
        }
        return client.send(destination, body, headers);
    }

    @Override
    public String toString() {
        return method.getDeclaringClass().getSimpleName() + "." + method.getName();
    }
}
