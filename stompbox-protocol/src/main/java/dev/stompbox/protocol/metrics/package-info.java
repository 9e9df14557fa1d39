/**
 * What a client reports about its work, for whatever metrics library the application uses:
 * {@link dev.stompbox.protocol.metrics.StompMetrics}. The {@code stompbox-micrometer} module
 * implements it on Micrometer.
 */
package dev.stompbox.protocol.metrics;
