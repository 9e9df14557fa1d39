package dev.stompbox.spring.listener;

import dev.stompbox.async.SubscriptionOptions;
import dev.stompbox.spring.listener.internal.InFlight;
import dev.stompbox.spring.listener.internal.ListenerEndpoint;
import dev.stompbox.spring.listener.internal.ListenerMethodHandler;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanDefinition;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Finds the {@link StompListener} methods of every bean as it is made, resolves their placeholders
 * and checks their signatures (a bad one fails the application's start, naming the method), and
 * hands them to the {@link StompListenerContainer}, which subscribes a listener of a bean made after
 * the start (a {@code @Lazy} one) when that bean is made. A listener subscribes once for the
 * application, so its bean must be a singleton: a listener method on a prototype or other scoped
 * bean fails the start, naming the bean. The starter registers it; an application needs it only
 * without auto-configuration:
 *
 * <pre>{@code
 * @Bean
 * static StompListenerMethodProcessor stompListenerMethodProcessor() {
 *     return new StompListenerMethodProcessor();
 * }
 * }</pre>
 */
public class StompListenerMethodProcessor implements BeanPostProcessor, BeanFactoryAware, SmartInitializingSingleton {
    /** The name of the {@link MessageConverter} bean that converts bodies and replies. */
    public static final String CONVERTER_BEAN = "stompboxMessageConverter";

    private final List<ListenerEndpoint> endpoints = new ArrayList<>();
    private final InFlight inFlight = new InFlight();
    private final List<Consumer<ListenerEndpoint>> added = new CopyOnWriteArrayList<>();
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

    /** Tells {@code listener} of each listener method found from now on (a bean made after the others). */
    void onAdded(Consumer<ListenerEndpoint> listener) {
        added.add(listener);
    }

    /** Listener methods running now, all of them. */
    InFlight inFlight() {
        return inFlight;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        Map<Method, StompListener> methods = listenerMethods(AopUtils.getTargetClass(bean));
        if (!methods.isEmpty()) {
            requireSingleton(beanName, methods);
            methods.forEach((method, listener) -> {
                ListenerEndpoint endpoint = add(bean, beanName, AopUtils.selectInvocableMethod(method, bean.getClass()), listener);
                added.forEach(l -> l.accept(endpoint)); // not under this lock: the container takes its own, then asks for ours
            });
        }
        return bean;
    }

    /**
     * Once the singletons are made: a listener method on a bean that is not a singleton, and so not
     * made yet, fails the start now rather than when (and each time) an instance is made.
     */
    @Override
    public void afterSingletonsInstantiated() {
        if (!(beanFactory instanceof ListableBeanFactory listable)) {
            return; // no definitions to look through: each instance is still checked as it is made
        }
        for (String name : listable.getBeanDefinitionNames()) {
            BeanDefinition definition = beanFactory.getMergedBeanDefinition(name);
            Class<?> type = definition.isSingleton() || definition.isAbstract() ? null : beanFactory.getType(name, false);
            if (type != null) {
                requireSingleton(name, listenerMethods(type));
            }
        }
    }

    private static Map<Method, StompListener> listenerMethods(Class<?> type) {
        if (!AnnotationUtils.isCandidateClass(type, StompListener.class)) {
            return Map.of();
        }
        return MethodIntrospector.selectMethods(type,
                (MethodIntrospector.MetadataLookup<StompListener>) m -> AnnotatedElementUtils.findMergedAnnotation(m, StompListener.class));
    }

    private void requireSingleton(String beanName, Map<Method, StompListener> methods) {
        if (!methods.isEmpty() && beanFactory != null && beanFactory.containsBean(beanName) && !beanFactory.isSingleton(beanName)) {
            throw new IllegalStateException("@StompListener " + beanName + "." + methods.keySet().iterator().next().getName()
                    + ": the bean '" + beanName + "' is not a singleton; a listener subscribes once for the application,"
                    + " so it must be on a singleton bean (each instance of a prototype would subscribe again)");
        }
    }

    private synchronized ListenerEndpoint add(Object bean, String beanName, Method method, StompListener listener) {
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
            ListenerEndpoint endpoint = new ListenerEndpoint(name, destination, Map.copyOf(headers), options.build(), bean, method, handler);
            endpoints.add(endpoint);
            return endpoint;
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
