/**
 * Bytes to frames and back: the incremental, bounded {@link dev.stompbox.protocol.codec.StompParser}
 * and the {@link dev.stompbox.protocol.codec.StompEncoder}, both exact to the STOMP version in use.
 */
package dev.stompbox.protocol.codec;
