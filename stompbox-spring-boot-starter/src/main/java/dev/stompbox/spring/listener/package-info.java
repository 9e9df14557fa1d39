/**
 * {@link dev.stompbox.spring.listener.StompListener} methods: subscriptions of the asynchronous
 * client declared on beans, started and stopped with the application context by
 * {@link dev.stompbox.spring.listener.StompListenerContainer}.
 */
package dev.stompbox.spring.listener;
