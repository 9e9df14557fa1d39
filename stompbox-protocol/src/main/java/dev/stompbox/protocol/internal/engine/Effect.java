package dev.stompbox.protocol.internal.engine;

/**
 * One thing the engine wants done, queued in order; the client takes them with
 * {@link ConnectionEngine#takeEffects} and applies them outside its lock.
 */
@FunctionalInterface
public interface Effect {
    void apply(EngineHandler handler);
}
