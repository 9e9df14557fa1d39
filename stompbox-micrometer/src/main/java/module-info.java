/** Micrometer meters for the Stompbox clients: {@link dev.stompbox.micrometer.MicrometerStompMetrics}. */
module dev.stompbox.micrometer {
    requires transitive dev.stompbox.protocol;
    requires transitive micrometer.core;

    exports dev.stompbox.micrometer;
}
