/**
 * What both clients share about a connection: its settings ({@link dev.stompbox.protocol.connection.ConnectionConfig}),
 * the listener told what happens to it, and the report of a reconnect.
 */
package dev.stompbox.protocol.connection;
