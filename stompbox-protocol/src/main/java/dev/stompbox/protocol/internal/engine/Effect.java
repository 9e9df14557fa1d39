package dev.stompbox.protocol.internal.engine;

/**
 * One thing the engine wants done, queued in order; {@link ConnectionEngine#applyEffects} applies
 * them to the client's {@link EngineHandler}.
 */
@FunctionalInterface
public interface Effect {
    void apply(EngineHandler handler);
}
