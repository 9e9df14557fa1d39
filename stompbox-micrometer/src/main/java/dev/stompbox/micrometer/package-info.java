/** Micrometer meters for the Stompbox clients. */
package dev.stompbox.micrometer;
