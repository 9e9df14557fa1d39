package dev.stompbox.cli;

import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompProtocolException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.failover.BrokerAddress;
import dev.stompbox.protocol.failover.FailoverUri;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;

/** The options every networked subcommand shares. */
final class ConnectionOptions {
    @Option(names = "--url", paramLabel = "URI", description = "Broker: tcp://, ssl://, ws://, wss:// or failover:(...) (default: tcp://127.0.0.1:61613; bench: an embedded broker).")
    String url;

    String url() {
        return url != null ? url : "tcp://127.0.0.1:61613";
    }

    /** Whether {@code uri} is a {@code failover:} URI: the commands then reconnect after a loss. */
    static boolean failover(String uri) {
        return FailoverUri.parse(uri).failover();
    }

    /** Whether {@code uri} names a WebSocket broker, which only the asynchronous client speaks. */
    static boolean webSocket(String uri) {
        return FailoverUri.parse(uri).brokers().stream().anyMatch(BrokerAddress::webSocket);
    }

    @Option(names = "--login", description = "Login.")
    String login;

    @Option(names = "--passcode", description = "Passcode (or STOMPBOX_PASSCODE in the environment; never echoed).")
    String passcode;

    @Option(names = "--vhost", description = "CONNECT host header (default: ${DEFAULT-VALUE}).")
    String vhost = "/";

    @Option(names = "--version", paramLabel = "1.0|1.1|1.2", description = "Highest STOMP version to offer (default: ${DEFAULT-VALUE}).")
    String version = "1.2";

    @Option(names = "--heart-beat", paramLabel = "CX,CY", description = "Heart-beats to offer, ms (default: ${DEFAULT-VALUE}).")
    String heartBeat = "10000,10000";

    @Option(names = "--truststore", paramLabel = "FILE", description = "PKCS12 trust store for ssl:// and wss://.")
    Path truststore;

    @Option(names = "--truststore-password", paramLabel = "PASSWORD", description = "Its password.")
    String truststorePassword = "";

    @Option(names = "--no-hostname-verification", description = "Accept a certificate that names another host.")
    boolean noHostnameVerification;

    String passcode() {
        return passcode != null ? passcode : System.getenv("STOMPBOX_PASSCODE");
    }

    StompVersion stompVersion() {
        try {
            return StompVersion.of(version);
        } catch (StompProtocolException e) {
            throw new IllegalArgumentException("--version: " + e.getMessage(), e); // a usage error, exit 2
        }
    }

    HeartBeat heartBeats() {
        try {
            return HeartBeat.parse(heartBeat);
        } catch (StompProtocolException e) {
            throw new IllegalArgumentException("--heart-beat: " + e.getMessage(), e);
        }
    }

    /** An SSLContext trusting the trust store, or null for the JDK default. */
    SSLContext sslContext() throws Exception {
        if (truststore == null) {
            return null;
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(truststore)) {
            ks.load(in, truststorePassword.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    dev.stompbox.client.StompClientConfig.Builder blocking(String uri) throws Exception {
        return dev.stompbox.client.StompClientConfig.builder(uri).login(login).passcode(passcode()).virtualHost(vhost)
                .version(stompVersion()).heartBeat(heartBeats()).sslContext(sslContext())
                .hostnameVerification(!noHostnameVerification);
    }

    dev.stompbox.async.AsyncStompClientConfig.Builder async(String uri) throws Exception {
        return dev.stompbox.async.AsyncStompClientConfig.builder(uri).login(login).passcode(passcode()).virtualHost(vhost)
                .version(stompVersion()).heartBeat(heartBeats()).sslContext(sslContext())
                .hostnameVerification(!noHostnameVerification);
    }
}
