/**
 * The stateless STOMP API: {@link dev.stompbox.protocol.commands.Commands} builds client frames and
 * reads server frames for a given version.
 */
package dev.stompbox.protocol.commands;
