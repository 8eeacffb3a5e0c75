package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.podguard.testing.Pods;
import io.podguard.testing.Reviews;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Slow senders: a client that sends a little every second never trips a per-read timeout, and
 * once held its connection for ever. 300 of them, trickling a TLS handshake, a request head and
 * a request body one piece a second, are all closed at the total deadlines (2 s here), while
 * good reviews are answered throughout.
 */
@TestPropertySource(properties = {"podguard.head-timeout=2s", "podguard.body-timeout=2s"})
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowSenderServerTest extends WebhookServerTestSupport {

    private static final int PER_KIND = 100;
    /** The deadline, one sweep, Tomcat's poller noticing, and room for a loaded machine. */
    private static final Duration CLOSED_WITHIN = Duration.ofSeconds(2 + 6);

    @Autowired
    MeterRegistry registry;

    /** One slow client: what it trickles, byte by byte, and when the server closed it. */
    private static final class Slow {
        final Socket socket;
        final byte[] trickle;
        int sent;
        volatile long started;
        volatile long closed;

        Slow(Socket socket, byte[] trickle) {
            this.socket = socket;
            this.trickle = trickle;
        }
    }

    @Test
    void slowHandshakesHeadsAndBodiesThenAllClosedAtTheDeadlineAndGoodReviewsAnswered() throws Exception {
        double headBefore = rejected("head_timeout");
        double bodyBefore = rejected("body_timeout");
        byte[] review = Reviews.create(Pods.PRIVILEGED).getBytes(StandardCharsets.UTF_8);
        List<Slow> slow = new ArrayList<>();
        try {
            for (int i = 0; i < PER_KIND; i++) {
                slow.add(new Slow(new Socket("localhost", port), clientHello()));
                SSLSocket head = handshaken();
                slow.add(new Slow(head, "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".repeat(200).getBytes(StandardCharsets.US_ASCII)));
                head.getOutputStream().write("POST /validate HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII));
                SSLSocket body = handshaken();
                body.getOutputStream().write(("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                        + review.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                slow.add(new Slow(body, review));
            }
            CountDownLatch allClosed = new CountDownLatch(slow.size());
            for (Slow s : slow) {
                s.started = System.nanoTime();
                Thread.ofVirtual().start(() -> {
                    try (InputStream in = s.socket.getInputStream()) {
                        while (in.read() >= 0) {
                            // an answer, if any, is read and ignored; the end of the stream is what counts
                        }
                    } catch (IOException closed) {
                        // closed by the server: what is waited for
                    }
                    s.closed = System.nanoTime();
                    allClosed.countDown();
                });
            }
            ConcurrentLinkedQueue<String> badAnswers = new ConcurrentLinkedQueue<>();
            int answered = 0;
            long until = System.nanoTime() + CLOSED_WITHIN.toNanos();
            while (allClosed.getCount() > 0 && System.nanoTime() < until) {
                for (Slow s : slow) { // one more piece from every slow client, each second
                    if (s.closed == 0 && s.sent < s.trickle.length) {
                        try {
                            OutputStream out = s.socket.getOutputStream();
                            out.write(s.trickle, s.sent++, 1);
                            out.flush();
                        } catch (IOException closed) {
                            // the reader thread records it
                        }
                    }
                }
                HttpResponse<String> good = post("/validate?timeout=5s", Reviews.create(Pods.PRIVILEGED));
                if (good.statusCode() != 200 || Reviews.response(good.body()).path("allowed").asBoolean()) {
                    badAnswers.add(good.statusCode() + " " + good.body());
                }
                answered++;
                allClosed.await(1, TimeUnit.SECONDS);
            }

            assertThat(allClosed.getCount()).as("slow connections still open after %s", CLOSED_WITHIN).isZero();
            assertThat(slow).allSatisfy(s -> assertThat(s.closed - s.started).isLessThan(CLOSED_WITHIN.toNanos()));
            assertThat(answered).isPositive();
            assertThat(badAnswers).isEmpty();
            assertThat(post("/validate?timeout=5s", Reviews.create(Pods.PRIVILEGED)).statusCode()).isEqualTo(200);
            assertThat(rejected("head_timeout") - headBefore).isEqualTo(2 * PER_KIND);
            assertThat(rejected("body_timeout") - bodyBefore).isEqualTo(PER_KIND);
        } finally {
            for (Slow s : slow) {
                s.socket.close();
            }
        }
    }

    private SSLSocket handshaken() throws IOException {
        SSLSocket tls = (SSLSocket) CERTS.clientContext().getSocketFactory().createSocket("localhost", port);
        tls.startHandshake();
        return tls;
    }

    /** The bytes of a real TLS ClientHello, to be sent one at a time over a plain socket. */
    private byte[] clientHello() throws IOException {
        SSLEngine engine = CERTS.clientContext().createSSLEngine("localhost", port);
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.beginHandshake();
        engine.wrap(ByteBuffer.allocate(0), out);
        return Arrays.copyOf(out.array(), out.position());
    }

    private double rejected(String reason) {
        return registry.get("podguard.admission.rejected").tag("reason", reason).counter().count();
    }
}
