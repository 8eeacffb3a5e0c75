package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.testing.Pods;
import io.podguard.testing.Reviews;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that reuses a keep-alive connection (the apiserver's Go client does not retry a POST on
 * a connection the server closed) must be told when the server is going to close it, and must get
 * the answer to a request the server refuses before reading its body. Raw HTTP/1.1 over TLS, so
 * that nothing in a client library hides a close or a reset.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionReuseServerTest extends WebhookServerTestSupport {

    /** One answer as it came off the connection. */
    record Answer(String status, boolean close, String body) {
    }

    /**
     * WebhookFuzzTest's mangled reviews, one after another on keep-alive connections: every answer
     * either says {@code Connection: close} (and then the server closes) or the connection carries
     * the next request. A connection closed without notice would fail the next request here.
     */
    @Test
    void mangledReviewsOnKeepAliveConnectionsThenEveryCloseIsAnnounced() throws Exception {
        Random random = new Random(20261201L);
        List<String> seeds = List.of(Reviews.create(Pods.PRIVILEGED), Reviews.create(Pods.RESTRICTED),
                Reviews.create(WebhookFuzzTest.deploymentJson()), Reviews.review("admission.k8s.io/v1beta1", "UPDATE", Pods.PRIVILEGED, true));
        List<String> silentCloses = new ArrayList<>();
        int kept = 0;
        int closed = 0;
        SSLSocket connection = null;
        for (int i = 0; i < 400; i++) {
            byte[] body = WebhookFuzzTest.mangle(seeds.get(random.nextInt(seeds.size())), random);
            String path = random.nextBoolean() ? "/validate" : "/mutate";
            if (connection == null) {
                connection = connect();
            }
            Answer answer;
            try {
                send(connection, path, "application/json", body);
                answer = read(connection.getInputStream());
            } catch (IOException e) {
                answer = null;
            }
            if (answer == null) {
                silentCloses.add("case " + i + " (" + body.length + " bytes to " + path + "): the connection was closed without notice");
                connection.close();
                connection = null;
            } else if (answer.close()) {
                assertThat(connection.getInputStream().read()).as("case %d: closed after Connection: close", i).isEqualTo(-1);
                connection.close();
                connection = null;
                closed++;
            } else {
                kept++;
            }
        }
        if (connection != null) {
            connection.close();
        }

        assertThat(silentCloses).isEmpty();
        assertThat(kept).as("answers on a kept connection").isGreaterThan(20);
        assertThat(closed).as("answers that closed their connection").isGreaterThan(20);
    }

    /**
     * A body refused before it is read (here for its content type), larger than what Tomcat would
     * swallow and than the sockets' buffers hold. Closed with the body still arriving, the
     * connection is reset, and a client still writing its body fails on the write: the JDK's
     * client then never parses the answer waiting for it ("HTTP/1.1 header parser received no
     * bytes", WebhookFuzzTest's flake under load), and the apiserver would report a broken
     * connection instead of podguard's one line. The server reads the rest of the body first.
     */
    @Test
    void bodyRefusedBeforeItIsReadThenTheClientSendsItWholeAndGetsTheAnswer() throws Exception {
        try (SSLSocket connection = connect()) {
            sendLarge(connection, "/validate", "text/plain", 8_000_000);

            Answer answer = read(connection.getInputStream());

            assertThat(answer).isEqualTo(new Answer("HTTP/1.1 415 ", true, "content type must be application/json, not text/plain\n"));
            assertThat(connection.getInputStream().read()).isEqualTo(-1);
        }
    }

    /** The same for a path without a webhook. */
    @Test
    void bodyToAPathWithoutWebhookThenTheClientSendsItWholeAndGetsTheAnswer() throws Exception {
        try (SSLSocket connection = connect()) {
            sendLarge(connection, "/namespaces/nothing-here", "application/json", 8_000_000);

            Answer answer = read(connection.getInputStream());

            assertThat(answer).isEqualTo(new Answer("HTTP/1.1 404 ", true, "no webhook at /namespaces/nothing-here\n"));
            assertThat(connection.getInputStream().read()).isEqualTo(-1);
        }
    }

    /** Writes a head and {@code length} bytes of body, failing the test if the connection breaks on the way. */
    private static void sendLarge(SSLSocket connection, String path, String contentType, int length) throws IOException {
        OutputStream out = connection.getOutputStream();
        out.write(("POST " + path + "?timeout=10s HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        byte[] chunk = "a".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
        for (int sent = 0; sent < length; sent += chunk.length) {
            out.write(chunk, 0, Math.min(chunk.length, length - sent));
        }
        out.flush();
    }

    private SSLSocket connect() throws IOException {
        SSLSocket connection = (SSLSocket) CERTS.clientContext().getSocketFactory().createSocket("localhost", port);
        connection.setSoTimeout(20_000);
        connection.setTcpNoDelay(true);
        return connection;
    }

    private static void send(SSLSocket connection, String path, String contentType, byte[] body) throws IOException {
        OutputStream out = connection.getOutputStream();
        out.write(("POST " + path + "?timeout=10s HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    /** @return null when the connection ended before a byte of an answer */
    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        if (head.size() == 0) {
            return null;
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int length = 0;
        boolean close = false;
        for (String line : lines) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(lower.substring("content-length:".length()).trim());
            } else if (lower.equals("connection: close")) {
                close = true;
            }
        }
        return new Answer(lines[0], close, new String(in.readNBytes(length), StandardCharsets.UTF_8));
    }
}
