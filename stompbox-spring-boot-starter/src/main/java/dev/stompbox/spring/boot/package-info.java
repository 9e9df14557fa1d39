/**
 * Spring Boot auto-configuration for the Stompbox clients: {@link dev.stompbox.spring.boot.StompboxProperties}
 * ({@code stompbox.*}), {@link dev.stompbox.spring.boot.StompboxAutoConfiguration}, the client's lifecycle
 * and its Actuator health.
 */
package dev.stompbox.spring.boot;
