package dev.stompbox.spring.listener;

import dev.stompbox.async.SubscriptionOptions;
import dev.stompbox.spring.listener.internal.InFlight;
import dev.stompbox.spring.listener.internal.ListenerEndpoint;
import dev.stompbox.spring.listener.internal.ListenerMethodHandler;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.messaging.converter.MessageConverter;
import org.springframework.messaging.handler.annotation.SendTo;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Finds the {@link StompListener} methods of every bean as it is made, resolves their placeholders
 * and checks their signatures (a bad one fails the application's start, naming the method), and
 * hands them to the {@link StompListenerContainer}. The starter registers it; an application needs
 * it only without auto-configuration:
 *
 * <pre>{@code
 * @Bean
 * static StompListenerMethodProcessor stompListenerMethodProcessor() {
 *     return new StompListenerMethodProcessor();
 * }
 * }</pre>
 */
public class StompListenerMethodProcessor implements BeanPostProcessor, BeanFactoryAware {
    /** The name of the {@link MessageConverter} bean that converts bodies and replies. */
    public static final String CONVERTER_BEAN = "stompboxMessageConverter";

    private final List<ListenerEndpoint> endpoints = new ArrayList<>();
    private final InFlight inFlight = new InFlight();
    private ConfigurableBeanFactory beanFactory;
    private volatile MessageConverter converter;

    @Override
    public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
        this.beanFactory = (ConfigurableBeanFactory) beanFactory;
    }

    /** The listener methods found so far. */
    public synchronized List<ListenerEndpoint> endpoints() {
        return List.copyOf(endpoints);
    }

    /** Listener methods running now, all of them. */
    InFlight inFlight() {
        return inFlight;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        Class<?> target = AopUtils.getTargetClass(bean);
        if (!AnnotationUtils.isCandidateClass(target, StompListener.class)) {
            return bean;
        }
        Map<Method, StompListener> methods = MethodIntrospector.selectMethods(target,
                (MethodIntrospector.MetadataLookup<StompListener>) m -> AnnotatedElementUtils.findMergedAnnotation(m, StompListener.class));
        methods.forEach((method, listener) -> add(bean, beanName, AopUtils.selectInvocableMethod(method, bean.getClass()), listener));
        return bean;
    }

    private synchronized void add(Object bean, String beanName, Method method, StompListener listener) {
        String name = beanName + "." + method.getName();
        try {
            String destination = required(resolve(listener.destination()), "destination");
            Map<String, String> headers = new LinkedHashMap<>();
            for (String header : listener.headers()) {
                String resolved = resolve(header);
                int eq = resolved.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("header '" + header + "' is not name=value");
                }
                headers.put(resolved.substring(0, eq).trim(), resolved.substring(eq + 1).trim());
            }
            headers.put("ack", listener.ack().value());
            putIfSet(headers, "selector", resolve(listener.selector()));
            putIfSet(headers, "id", resolve(listener.id()));
            SubscriptionOptions.Builder options = SubscriptionOptions.builder()
                    .concurrency(Integer.parseInt(resolve(listener.concurrency()).trim()))
                    .nackOnError(listener.nackOnError())
                    .confirm(listener.confirm());
            String errorDestination = resolve(listener.errorDestination());
            if (!errorDestination.isEmpty()) {
                options.errorDestination(errorDestination);
            }
            String prefetch = resolve(listener.prefetch());
            if (!prefetch.isEmpty()) {
                options.prefetch(Integer.parseInt(prefetch.trim()));
            }
            SendTo sendTo = AnnotatedElementUtils.findMergedAnnotation(method, SendTo.class);
            String replyTo = sendTo != null && sendTo.value().length > 0 ? resolve(sendTo.value()[0]) : null;
            ListenerMethodHandler handler = new ListenerMethodHandler(bean, method, replyTo, converter(), inFlight);
            endpoints.add(new ListenerEndpoint(name, destination, Map.copyOf(headers), options.build(), bean, method, handler));
        } catch (RuntimeException e) {
            throw new IllegalStateException("@StompListener " + name + ": " + e.getMessage(), e);
        }
    }

    private Supplier<MessageConverter> converter() {
        return () -> {
            MessageConverter c = converter;
            if (c == null) {
                converter = c = beanFactory.getBean(CONVERTER_BEAN, MessageConverter.class);
            }
            return c;
        };
    }

    private String resolve(String value) {
        String resolved = beanFactory != null ? beanFactory.resolveEmbeddedValue(value) : value;
        return resolved != null ? resolved : "";
    }

    private static String required(String value, String what) {
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        return value;
    }

    private static void putIfSet(Map<String, String> headers, String name, String value) {
        if (!value.isEmpty()) {
            headers.put(name, value);
        }
    }
}
