package dev.stompbox.protocol.commands;

import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompVersion;

/**
 * What a CONNECTED frame says: the version the server chose (1.0 when it names none), its session
 * id and server name (either may be {@code null}), and the heart-beats it offers.
 *
 * <pre>{@code
 * ConnectedInfo info = Commands.connected(frame, offered);
 * parser.version(info.version());
 * }</pre>
 */
public record ConnectedInfo(StompVersion version, String session, String server, HeartBeat heartBeat) {
}
