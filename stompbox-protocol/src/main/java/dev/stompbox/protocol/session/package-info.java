/**
 * {@link dev.stompbox.protocol.session.StompSession}: the state of one STOMP connection (version,
 * heart-beats, subscriptions and their replay, transactions, receipts), with no socket and no clock.
 */
package dev.stompbox.protocol.session;
