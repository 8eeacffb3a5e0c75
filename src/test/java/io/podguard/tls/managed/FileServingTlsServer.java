package io.podguard.tls.managed;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A TLS server on loopback that serves whatever the serving files hold, read again on every
 * connection, as Spring's reloading SSL bundle does after a change. {@code frozen} keeps serving
 * the last certificate read: a server that has not reloaded yet.
 */
final class FileServingTlsServer implements AutoCloseable {

    private final ServingFiles files;
    private final ServerSocket socket;
    private final Thread acceptor;
    private volatile SSLContext context;
    volatile boolean frozen;

    FileServingTlsServer(ServingFiles files) throws IOException {
        this.files = files;
        this.socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofPlatform().daemon().name("tls-test-server").start(this::serve);
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket plain = socket.accept()) {
                SSLContext ssl = currentContext();
                if (ssl == null) {
                    continue;
                }
                try (SSLSocket tls = (SSLSocket) ssl.getSocketFactory().createSocket(plain, null, plain.getPort(), false)) {
                    tls.setUseClientMode(false);
                    tls.startHandshake();
                }
            } catch (Exception e) {
                // a failed handshake or a closed socket: the next connection starts afresh
            }
        }
    }

    private SSLContext currentContext() throws Exception {
        if (frozen && context != null) {
            return context;
        }
        if (!Files.exists(files.certFile()) || !Files.exists(files.keyFile())) {
            return null;
        }
        X509Certificate cert = CertificateSet.certificates(Files.readString(files.certFile()), "tls.crt").getFirst();
        java.security.PrivateKey key = CertificateSet.fromPem(Files.readString(files.keyFile()));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("serving", key, new char[0], new X509Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, new char[0]);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        context = ssl;
        return ssl;
    }

    @Override
    public void close() throws Exception {
        socket.close();
        acceptor.join(2_000);
    }
}
