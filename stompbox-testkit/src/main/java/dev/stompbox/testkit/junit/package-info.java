/**
 * The JUnit 5 extension that gives each test a fresh {@link dev.stompbox.testkit.StompTestServer}
 * and prints its frame traces when the test fails. Needs {@code junit-jupiter-api} on the class path.
 */
package dev.stompbox.testkit.junit;
