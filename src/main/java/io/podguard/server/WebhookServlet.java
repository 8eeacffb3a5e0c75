package io.podguard.server;

import io.podguard.engine.Text;

import io.podguard.admission.AdmissionHandler;
import io.podguard.admission.BadReviewException;
import io.podguard.admission.Endpoint;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /mutate} and {@code POST /validate}. A plain servlet: the body is read once as
 * bytes and handed to the {@link AdmissionHandler}; nothing of Spring MVC sits on the path.
 * Bad input gets a one-line 4xx, never a stack trace.
 */
final class WebhookServlet extends HttpServlet {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookServlet.class);
    /** Answer this long before the apiserver's own deadline, so it hears us rather than timing out. */
    private static final long DEADLINE_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final Endpoint endpoint;
    private final AdmissionHandler handler;
    private final Semaphore slots;
    private final Duration defaultTimeout;

    WebhookServlet(Endpoint endpoint, AdmissionHandler handler, Semaphore slots, Duration defaultTimeout) {
        this.endpoint = endpoint;
        this.handler = handler;
        this.slots = slots;
        this.defaultTimeout = defaultTimeout;
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos(req.getParameter("timeout")) - DEADLINE_MARGIN_NANOS;
        String contentType = req.getContentType();
        if (contentType != null && !isJson(contentType)) {
            error(resp, 415, "content type must be application/json, not " + Text.oneLine(contentType));
            return;
        }
        long declared = req.getContentLengthLong();
        if (declared > io.podguard.admission.AdmissionReviewCodec.MAX_BODY_BYTES) {
            error(resp, 413, "request body exceeds " + io.podguard.admission.AdmissionReviewCodec.MAX_BODY_BYTES + " bytes");
            return;
        }
        byte[] body;
        try {
            body = readBody(req.getInputStream(), declared);
        } catch (BadReviewException e) {
            error(resp, e.status(), e.getMessage());
            return;
        } catch (IOException e) {
            // The client went away or sent a truncated body; there is nobody to answer well.
            error(resp, 400, "request body could not be read: " + Text.oneLine(e.getMessage()));
            return;
        }
        boolean acquired = false;
        try {
            long wait = deadline - System.nanoTime();
            acquired = wait > 0 && slots.tryAcquire(wait, TimeUnit.NANOSECONDS);
            if (!acquired) {
                error(resp, 503, "podguard is overloaded: no evaluation slot before the request's deadline");
                return;
            }
            byte[] out = handler.handle(endpoint, body);
            resp.setStatus(200);
            resp.setContentType("application/json");
            resp.setContentLength(out.length);
            try (OutputStream os = resp.getOutputStream()) {
                os.write(out);
            }
        } catch (BadReviewException e) {
            error(resp, e.status(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error(resp, 503, "podguard is shutting down");
        } catch (RuntimeException e) {
            // A bug, not bad input: logged with its trace here, a one-line answer to the client.
            LOG.error("review failed on /{}", endpoint.id(), e);
            error(resp, 500, "podguard could not review the request: " + e.getClass().getSimpleName());
        } finally {
            if (acquired) {
                slots.release();
            }
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        methodNotAllowed(resp);
    }

    @Override
    protected void doPut(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        methodNotAllowed(resp);
    }

    @Override
    protected void doDelete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        methodNotAllowed(resp);
    }

    @Override
    protected void doHead(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setHeader("Allow", "POST");
        resp.setStatus(405);
    }

    private static void methodNotAllowed(HttpServletResponse resp) throws IOException {
        resp.setHeader("Allow", "POST");
        error(resp, 405, "method not allowed: the webhook takes POST with an AdmissionReview");
    }

    private static byte[] readBody(InputStream in, long declared) throws IOException, BadReviewException {
        int max = io.podguard.admission.AdmissionReviewCodec.MAX_BODY_BYTES;
        byte[] buffer = new byte[declared > 0 ? (int) declared : 8192];
        int length = 0;
        while (true) {
            if (length == buffer.length) {
                if (length > max) {
                    throw new BadReviewException(413, "request body exceeds " + max + " bytes");
                }
                buffer = Arrays.copyOf(buffer, Math.min(buffer.length * 2, max + 1));
            }
            int n = in.read(buffer, length, buffer.length - length);
            if (n < 0) {
                break;
            }
            length += n;
        }
        if (length > max) {
            throw new BadReviewException(413, "request body exceeds " + max + " bytes");
        }
        if (length == 0) {
            throw new BadReviewException(400, "request body is empty: expected an AdmissionReview");
        }
        return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
    }

    private long timeoutNanos(String param) {
        if (param != null && param.length() < 12 && param.endsWith("s")) {
            try {
                long seconds = Long.parseLong(param.substring(0, param.length() - 1));
                if (seconds > 0 && seconds <= 30) {
                    return TimeUnit.SECONDS.toNanos(seconds);
                }
            } catch (NumberFormatException ignored) {
                // fall back to the default deadline
            }
        }
        return defaultTimeout.toNanos();
    }

    private static boolean isJson(String contentType) {
        String type = contentType.split(";", 2)[0].trim();
        return type.equalsIgnoreCase("application/json") || type.isEmpty();
    }

    static void error(HttpServletResponse resp, int status, String message) throws IOException {
        if (resp.isCommitted()) {
            return;
        }
        resp.resetBuffer();
        resp.setStatus(status);
        resp.setContentType("text/plain;charset=utf-8");
        byte[] bytes = (Text.oneLine(message) + "\n").getBytes(StandardCharsets.UTF_8);
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

}
