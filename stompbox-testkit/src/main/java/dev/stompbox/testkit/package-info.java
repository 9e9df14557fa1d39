/**
 * An in-process STOMP server for tests that misbehaves on demand: {@link dev.stompbox.testkit.StompTestServer},
 * its {@link dev.stompbox.testkit.ServerConnection}s with their traces, and the
 * {@link dev.stompbox.testkit.Faults} that make a connection fail in exactly the way a test needs.
 */
package dev.stompbox.testkit;
