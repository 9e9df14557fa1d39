/**
 * Failover URIs ({@link dev.stompbox.protocol.failover.FailoverUri}) and the reconnect schedule
 * that walks their brokers with back-off ({@link dev.stompbox.protocol.failover.ReconnectSchedule}).
 */
package dev.stompbox.protocol.failover;
