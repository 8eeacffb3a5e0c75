package io.podguard.tls.managed;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.IntSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.jspecify.annotations.Nullable;

/**
 * Asks the local HTTPS server which certificate it serves, by a TLS handshake on loopback. That
 * is how readiness knows a renewed certificate is really in use, not just written to disk.
 */
public final class ServedCertificateProbe {

    private static final int TIMEOUT_MILLIS = 2_000;

    private final IntSupplier port;

    /** @param port the HTTPS port; 0 or less while the server is not started */
    public ServedCertificateProbe(IntSupplier port) {
        this.port = port;
    }

    /** The leaf certificate served now, or empty when the server does not answer yet. */
    public Optional<X509Certificate> served() {
        int p = port.getAsInt();
        if (p <= 0) {
            return Optional.empty();
        }
        ReadOnlyTrustManager seen = new ReadOnlyTrustManager();
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            // Only the certificate is read; no request is sent, so nothing needs trusting here.
            context.init(null, new TrustManager[] {seen}, null);
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", p), TIMEOUT_MILLIS);
                socket.setSoTimeout(TIMEOUT_MILLIS);
                socket.startHandshake();
                Certificate[] chain = socket.getSession().getPeerCertificates();
                return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? Optional.of(leaf) : Optional.empty();
            }
        } catch (IOException | GeneralSecurityException e) {
            // With mutual TLS the server refuses this client, which has no certificate, after it
            // has shown its own: that is all the probe asks.
            return Optional.ofNullable(seen.leaf);
        }
    }

    private static final class ReadOnlyTrustManager implements X509TrustManager {
        private volatile @Nullable X509Certificate leaf;

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            leaf = chain.length > 0 ? chain[0] : null;
        }

        @Override
        public X509Certificate @Nullable [] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
