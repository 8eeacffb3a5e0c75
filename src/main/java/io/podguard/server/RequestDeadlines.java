package io.podguard.server;

import jakarta.servlet.ServletConnection;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.coyote.AbstractProcessor;
import org.apache.coyote.Constants;
import org.apache.tomcat.util.net.SecureNioChannel;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * Total deadlines for the TLS handshake and request head, and for the request body, of every
 * connection of the webhook connector. Tomcat's {@code connectionTimeout} bounds each read only:
 * a client that sends a header line every few seconds holds its connection (and the memory
 * behind it) for ever. A sweep, every fraction of a second, closes a connection
 *
 * <ul>
 *   <li>whose TLS handshake, or request head, has been under way for longer than {@code head}
 *       since the sweep first saw it: Tomcat parks such a connection with its processor
 *       attached, waiting for more bytes;</li>
 *   <li>whose body is still being read {@code body} after the servlet started to read it (the
 *       servlet says when it starts and ends, by the connection's id).</li>
 * </ul>
 *
 * Idle keep-alive connections are Tomcat's (its keep-alive timeout); requests being evaluated
 * are the servlet's (the evaluation deadline).
 *
 * <p>Written by hand: no servlet container podguard can embed bounds the total time of a request
 * head. It reads Tomcat's per-connection state through public methods; a deadline holds to
 * within one sweep and Tomcat's poller noticing the close.
 */
final class RequestDeadlines {

    /** What a connection is doing ({@code owner}, started at {@code start}) and since when the sweep has seen it. */
    private record Head(Object owner, long start, long since) {
    }

    /** Called once per connection closed for a deadline. */
    interface Expired {
        void expired(boolean body);
    }

    private final long headNanos;
    private final long bodyNanos;
    private final LongSupplier clock;
    /** Connection id → when its body must have arrived; the servlet adds and removes. */
    private final Map<String, Long> bodies = new ConcurrentHashMap<>();
    /** Per open connection in its head. Sweeps run on one thread. */
    private Map<SocketWrapperBase<?>, Head> heads = new HashMap<>();

    RequestDeadlines(Duration head, Duration body, LongSupplier clock) {
        this.headNanos = head.toNanos();
        this.bodyNanos = body.toNanos();
        this.clock = clock;
    }

    Duration headTimeout() {
        return Duration.ofNanos(headNanos);
    }

    Duration bodyTimeout() {
        return Duration.ofNanos(bodyNanos);
    }

    /**
     * The servlet starts to read the body of a request on {@code connection}.
     *
     * @return when the body must have arrived (nanos)
     */
    long bodyStarted(ServletConnection connection) {
        long deadline = clock.getAsLong() + bodyNanos;
        bodies.put(connection.getConnectionId(), deadline);
        return deadline;
    }

    /**
     * The servlet has read the body (or given up on it).
     *
     * @return false when the sweep had already closed the connection at the body deadline (and counted it)
     */
    boolean bodyEnded(ServletConnection connection) {
        return bodies.remove(connection.getConnectionId()) != null;
    }

    /** One pass over {@code connections}; closes those past a deadline. */
    void sweep(Collection<? extends SocketWrapperBase<?>> connections, Expired expired) {
        long now = clock.getAsLong();
        boolean lateBodies = false;
        for (long deadline : bodies.values()) {
            lateBodies |= now - deadline > 0;
        }
        Map<SocketWrapperBase<?>, Head> next = new HashMap<>();
        for (SocketWrapperBase<?> connection : connections) {
            if (connection.isClosed()) {
                continue;
            }
            if (lateBodies && lateBody(connectionId(connection), now)) {
                close(connection);
                expired.expired(true);
                continue;
            }
            Head head = head(connection, now);
            if (head == null) {
                continue;
            }
            Head known = heads.get(connection);
            if (known != null && known.owner() == head.owner() && known.start() == head.start()) {
                head = known;
            }
            if (now - head.since() > headNanos) {
                close(connection);
                expired.expired(false);
            } else {
                next.put(connection, head);
            }
        }
        heads = next;
    }

    /**
     * Whether the body on {@code connectionId} is past its deadline, and if so takes it out, in one
     * step: a body the servlet finished reading meanwhile ({@link #bodyEnded}) is not late, and its
     * connection, about to carry the answer and the next request, is not closed.
     */
    private boolean lateBody(String connectionId, long now) {
        Long deadline = bodies.get(connectionId);
        return deadline != null && now - deadline > 0 && bodies.remove(connectionId, deadline);
    }

    /**
     * A handshake not yet complete, or a request head in progress: Tomcat keeps the processor
     * attached to a connection only while it waits for more of a head (while it processes a
     * request, the processor is out with the worker thread; an idle connection has none).
     */
    private static Head head(SocketWrapperBase<?> connection, long now) {
        Object processor = connection.getCurrentProcessor();
        if (processor instanceof AbstractProcessor p && p.getRequest().getRequestProcessor().getStage() != Constants.STAGE_SERVICE) {
            return new Head(p, p.getRequest().getStartTimeNanos(), now);
        }
        if (processor == null && connection.getSocket() instanceof SecureNioChannel tls && !tls.isHandshakeComplete()) {
            return new Head(tls, 0, now);
        }
        return null;
    }

    private static String connectionId(SocketWrapperBase<?> connection) {
        return connection.getServletConnection(null, null).getConnectionId();
    }

    private static void close(SocketWrapperBase<?> connection) {
        // A short read timeout makes Tomcat's poller close it at its next check, waking a reader
        // blocked on it; close() at once for the rest.
        connection.setReadTimeout(1);
        connection.setWriteTimeout(1);
        connection.close();
    }
}
