package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.testing.Pods;
import io.podguard.testing.Reviews;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * Slowloris: hundreds of connections that never finish a TLS handshake, a request line, or a
 * body must not starve the apiserver's reviews.
 */
class SlowClientTest extends WebhookServerTestSupport {

    @Test
    void stalledConnectionsThenGoodReviewsStillAnswered() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket raw = new Socket("localhost", port);
                raw.getOutputStream().write(new byte[] {0x16, 0x03, 0x01}); // the start of a ClientHello, then silence
                stalled.add(raw);
            }
            byte[] body = Reviews.create(Pods.PRIVILEGED).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 100; i++) {
                SSLSocket tls = (SSLSocket) CERTS.clientContext().getSocketFactory().createSocket("localhost", port);
                tls.startHandshake();
                OutputStream out = tls.getOutputStream();
                if (i % 2 == 0) {
                    out.write("POST /validate HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII)); // headers never end
                } else {
                    out.write(("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                            + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body, 0, body.length / 2); // body never ends
                }
                out.flush();
                stalled.add(tls);
            }

            for (int i = 0; i < 20; i++) {
                HttpResponse<String> resp = post("/validate", Reviews.create(Pods.PRIVILEGED));
                assertThat(resp.statusCode()).isEqualTo(200);
                assertThat(Reviews.response(resp.body()).path("allowed").asBoolean()).isFalse();
            }
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }
}
