/** OpenTelemetry tracing for the Stompbox clients: {@link dev.stompbox.opentelemetry.StompTracing}. */
module dev.stompbox.opentelemetry {
    requires transitive dev.stompbox.protocol;
    requires transitive io.opentelemetry.api;
    requires io.opentelemetry.context;

    exports dev.stompbox.opentelemetry;
}
