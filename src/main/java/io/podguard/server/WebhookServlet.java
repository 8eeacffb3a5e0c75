package io.podguard.server;

import io.podguard.admission.BadReviewException;
import io.podguard.engine.Text;
import io.podguard.server.Refusals.Reason;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One webhook path ({@code /mutate}, {@code /validate}, {@code /namespaces/…}): a plain servlet,
 * nothing of Spring MVC on the path. In order: the client (mutual TLS names), the content type
 * and length, the body read into memory charged to the {@link MemoryBudget} as it arrives, the
 * evaluation in a slot of {@link Evaluations} until the request's deadline, the answer. Whatever
 * goes wrong, the client gets one line and a status, never a stack trace, and the refusal is
 * counted and logged ({@link Refusals}).
 */
final class WebhookServlet extends HttpServlet {

    /** The review behind a path: bytes in, bytes out. */
    @FunctionalInterface
    interface Reviewer {
        /** @throws BadReviewException for input that is not a review podguard can answer */
        byte[] review(byte[] body) throws BadReviewException;
    }

    /** What every webhook path shares. */
    record Server(MemoryBudget budget, Evaluations evaluations, Refusals refusals, ClientNames clients,
                  RequestDeadlines deadlines, int maxBodyBytes, Duration defaultTimeout) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(WebhookServlet.class);
    /** Request attribute: the body has been read whole. */
    private static final String BODY_READ = WebhookServlet.class.getName() + ".bodyRead";
    /** Request attribute: what is left of the body is not to be read (too large, or the connection failed). */
    private static final String BODY_ABANDONED = WebhookServlet.class.getName() + ".bodyAbandoned";
    /** Answer this long before the apiserver's own deadline, so it hears us rather than timing out. */
    private static final long DEADLINE_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** The apiserver's longest webhook timeout. */
    private static final long MAX_TIMEOUT_SECONDS = 30;

    private final String path;
    private final Function<@Nullable String, @Nullable Reviewer> reviewers;
    private final Server server;

    /** One reviewer for the path. */
    static WebhookServlet of(String path, Reviewer reviewer, Server server) {
        Function<@Nullable String, @Nullable Reviewer> only = pathInfo -> pathInfo == null || pathInfo.isEmpty() ? reviewer : null;
        return new WebhookServlet(path, only, server);
    }

    /** @param reviewers the reviewer for a request's path info ({@code /opt-out} under {@code /namespaces/*}); null: none there */
    WebhookServlet(String path, Function<@Nullable String, @Nullable Reviewer> reviewers, Server server) {
        this.path = path;
        this.reviewers = reviewers;
        this.server = server;
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos(req.getParameter("timeout")) - DEADLINE_MARGIN_NANOS;
        try {
            serve(req, resp, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            refuse(req, resp, Reason.OVERLOADED, 503, "podguard is shutting down");
        } catch (Throwable e) { // the last line of defence: an Error must not become Tomcat's HTML page
            LOG.error("request on {} failed", path, e);
            refuse(req, resp, Reason.INTERNAL_ERROR, 500, "podguard could not review the request: " + e.getClass().getSimpleName());
        }
    }

    private void serve(HttpServletRequest req, HttpServletResponse resp, long deadline) throws IOException, InterruptedException {
        // The certificate only when names restrict it: asking for it makes Tomcat gather every TLS
        // attribute of the request and, without mutual TLS, construct an exception with its stack trace.
        if (server.clients().restricts()
                && !server.clients().allows((X509Certificate[]) req.getAttribute("jakarta.servlet.request.X509Certificate"))) {
            refuse(req, resp, Reason.CLIENT_NOT_ALLOWED, 403, "the client certificate names no client allowed to call podguard");
            return;
        }
        Reviewer reviewer = reviewers.apply(req.getPathInfo());
        if (reviewer == null) {
            refuse(req, resp, Reason.NOT_FOUND, 404, "no webhook at " + Text.oneLine(req.getRequestURI()));
            return;
        }
        String contentType = req.getContentType();
        if (contentType != null && !isJson(contentType)) {
            refuse(req, resp, Reason.UNSUPPORTED_MEDIA_TYPE, 415, "content type must be application/json, not " + Text.oneLine(contentType));
            return;
        }
        long declared = req.getContentLengthLong();
        if (declared < 0) {
            refuse(req, resp, Reason.LENGTH_REQUIRED, 411, "Content-Length required");
            return;
        }
        if (declared > server.maxBodyBytes()) {
            req.setAttribute(BODY_ABANDONED, Boolean.TRUE);
            refuse(req, resp, Reason.TOO_LARGE, 413, "request body of " + declared + " bytes exceeds " + server.maxBodyBytes()
                    + " bytes, more than any review the apiserver sends");
            resp.flushBuffer(); // sent now: what is left of the body is swallowed (up to max-swallow-size) only after
            return;
        }
        try (MemoryBudget.Charge charge = server.budget().open()) {
            byte[] body;
            long bodyDeadline = Math.min(deadline, server.deadlines().bodyStarted(req.getServletConnection()));
            try {
                body = ReviewBody.read(req.getInputStream(), (int) declared, charge, bodyDeadline);
            } catch (ReviewBody.NoRoom e) {
                refuse(req, resp, Reason.MEMORY_BUDGET, 503, e.getMessage());
                return;
            } catch (BadReviewException e) {
                refuse(req, resp, Reason.MALFORMED, e.status(), e.getMessage());
                return;
            } catch (IOException e) {
                req.setAttribute(BODY_ABANDONED, Boolean.TRUE);
                if (server.deadlines().bodyEnded(req.getServletConnection())) { // else closed at the body deadline, and counted there
                    // The client went away: nobody to answer well.
                    refuse(req, resp, Reason.MALFORMED, 400, "request body could not be read: " + Text.oneLine(e.getMessage()));
                }
                return;
            } finally {
                server.deadlines().bodyEnded(req.getServletConnection());
            }
            req.setAttribute(BODY_READ, Boolean.TRUE);
            long footprint = ReviewBody.footprint(body);
            if (charge.bytes() + footprint > server.budget().largestCharge()) {
                refuse(req, resp, Reason.TOO_LARGE_FOR_MEMORY, 413, "a review of " + body.length + " bytes would need about "
                        + (charge.bytes() + footprint) / (1024 * 1024) + " MiB to judge, more than podguard's memory budget allows one review ("
                        + server.budget().largestCharge() / (1024 * 1024) + " MiB of podguard.memory-budget)");
                return;
            }
            if (!charge.add(footprint, deadline)) {
                refuse(req, resp, Reason.MEMORY_BUDGET, 503, "podguard is at its memory budget for reviews in flight:"
                        + " no room to judge this review before the request's deadline");
                return;
            }
            charge.share();
            byte[] out = server.evaluations().run(() -> reviewer.review(body), deadline, charge::close);
            resp.setStatus(200);
            resp.setContentType("application/json");
            resp.setContentLength(out.length);
            try (OutputStream os = resp.getOutputStream()) {
                os.write(out);
            }
        } catch (Evaluations.NotInTime e) {
            if (e.outcome() == Evaluations.Outcome.NO_SLOT) {
                refuse(req, resp, Reason.OVERLOADED, 503, "podguard is overloaded: no evaluation slot before the request's deadline");
            } else {
                refuse(req, resp, Reason.DEADLINE, 503, "podguard could not judge the review before the request's deadline");
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BadReviewException bad) {
                refuse(req, resp, bad.status() >= 500 ? Reason.INTERNAL_ERROR : Reason.MALFORMED, bad.status(), bad.getMessage());
            } else {
                // A bug, not bad input: logged with its trace here, a one-line answer to the client.
                LOG.error("review failed on {}", path, cause);
                refuse(req, resp, Reason.INTERNAL_ERROR, 500, "podguard could not review the request: " + cause.getClass().getSimpleName());
            }
        }
    }

    /**
     * POST reviews, HEAD answers 405 without a body, and every other method (GET, PUT, DELETE,
     * PATCH, OPTIONS, TRACE, anything) one line and 405: never the servlet container's error page.
     */
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        switch (req.getMethod()) {
            case "POST" -> doPost(req, resp);
            case "HEAD" -> doHead(req, resp);
            default -> methodNotAllowed(req, resp);
        }
    }

    /** A path no webhook serves, whatever the method: 404 and one line, counted as any refusal. */
    void notFound(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        refuse(req, resp, Reason.NOT_FOUND, 404, "no webhook at " + Text.oneLine(req.getRequestURI()));
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        methodNotAllowed(req, resp);
    }

    @Override
    protected void doPut(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        methodNotAllowed(req, resp);
    }

    @Override
    protected void doDelete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        methodNotAllowed(req, resp);
    }

    @Override
    protected void doHead(HttpServletRequest req, HttpServletResponse resp) {
        server.refusals().refused(Reason.METHOD_NOT_ALLOWED, 405, path, "HEAD");
        resp.setHeader("Allow", "POST");
        resp.setStatus(405);
    }

    private void methodNotAllowed(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setHeader("Allow", "POST");
        refuse(req, resp, Reason.METHOD_NOT_ALLOWED, 405, "method not allowed: the webhook takes POST with an AdmissionReview");
    }

    private void refuse(HttpServletRequest req, HttpServletResponse resp, Reason reason, int status, String message) throws IOException {
        boolean unread = req.getAttribute(BODY_READ) == null;
        if (unread) {
            // A body podguard did not read: the client must not send its next request on this
            // connection (nor Tomcat swallow the rest of the body first).
            resp.setHeader("Connection", "close");
        }
        server.refusals().refused(reason, status, path, Text.oneLine(message));
        if (unread && req.getAttribute(BODY_ABANDONED) == null && req.getContentLengthLong() > 0) {
            drain(req); // first: once the whole answer is written, Tomcat closes the request's stream
        }
        error(resp, status, message);
    }

    /**
     * Reads and drops what is left of a body the answer does not need, so that the connection
     * closes after it cleanly. Closed while the client is still sending, the connection is reset
     * for the bytes that keep arriving, and a client still writing its body fails on the write
     * and may never read the answer it was sent (the JDK's client: "HTTP/1.1 header parser
     * received no bytes"): the apiserver would report a broken connection instead of podguard's
     * one line. Tomcat swallows no more than {@code max-swallow-size}; this reads up to the
     * declared length, which the caller checked against {@code max-review-bytes}, within the
     * body deadline, after which the sweep closes the connection as for any slow body. A memory
     * charge the review holds (a body refused for the budget) is held meanwhile.
     */
    private void drain(HttpServletRequest req) {
        server.deadlines().bodyStarted(req.getServletConnection());
        try (InputStream in = req.getInputStream()) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the client went away, or the body deadline closed the connection: the answer was sent
        } finally {
            server.deadlines().bodyEnded(req.getServletConnection());
        }
    }

    private long timeoutNanos(String param) {
        if (param != null && param.length() < 12 && param.endsWith("s")) {
            try {
                long seconds = Long.parseLong(param.substring(0, param.length() - 1));
                if (seconds > 0 && seconds <= MAX_TIMEOUT_SECONDS) {
                    return TimeUnit.SECONDS.toNanos(seconds);
                }
            } catch (NumberFormatException ignored) {
                // fall back to the default deadline
            }
        }
        return server.defaultTimeout().toNanos();
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
