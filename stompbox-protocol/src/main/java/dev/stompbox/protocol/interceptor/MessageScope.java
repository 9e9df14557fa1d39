package dev.stompbox.protocol.interceptor;

/**
 * What a {@link StompInterceptor} hears of one MESSAGE reaching the application: {@link #close()}
 * on the thread that received it, once the handler returned (or the receive returns), so that what
 * the interceptor made current there (a tracing context) is undone on the same thread; then
 * {@link #handled(Throwable)} when the handling ended, which for a handler that returned a stage
 * is when the stage completes, on whatever thread that is.
 *
 * <pre>{@code
 * Scope current = span.makeCurrent();
 * return new MessageScope() {
 *     public void close() { current.close(); }
 *     public void handled(Throwable failure) { span.end(); }
 * };
 * }</pre>
 */
public interface MessageScope extends AutoCloseable {
    /** Hears nothing. */
    MessageScope NONE = new MessageScope() {
    };

    /** Leaves the receiving thread; called once, before {@link #handled}. */
    @Override
    default void close() {
    }

    /** The handling ended, {@code failure} {@code null} when it succeeded. Called once. */
    default void handled(Throwable failure) {
    }
}
