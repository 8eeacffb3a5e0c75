package io.podguard.server;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.coyote.AbstractProcessor;
import org.apache.coyote.Constants;
import org.apache.coyote.Request;
import org.apache.tomcat.util.net.SecureNioChannel;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Total deadlines for the TLS handshake and request head, and for the request body, of every
 * connection of a connector. Tomcat's {@code connectionTimeout} bounds each read only: a client
 * that sends a header line every few seconds holds its connection (and the memory behind it)
 * for ever. A sweep, every fraction of a second, closes a connection whose handshake or head has
 * taken longer than {@code head} since it was first seen, or whose body has taken longer than
 * {@code body}. Idle keep-alive connections are Tomcat's (its keep-alive timeout); requests being
 * evaluated are the servlet's (the evaluation deadline).
 *
 * <p>Written by hand: no servlet container podguard can embed bounds the total time of a request
 * head. It reads Tomcat's per-connection state (processor stage, body bytes read) through public
 * methods; times are podguard's own observations, so a deadline holds to within one sweep.
 */
final class RequestDeadlines {

    private static final Logger LOG = LoggerFactory.getLogger(RequestDeadlines.class);

    /** What a connection is doing ({@code what} of {@code owner}, started at {@code start}) and since when podguard has seen it. */
    private record Phase(Object owner, long start, String what, long since) {

        boolean same(Phase other) {
            return other != null && other.owner == owner && other.start == start && other.what.equals(what);
        }
    }

    private final Supplier<? extends Collection<? extends SocketWrapperBase<?>>> connections;
    private final long headNanos;
    private final long bodyNanos;
    private final LongSupplier clock;
    private final java.util.function.Consumer<String> onExpired;
    /** Per open connection in a phase with a deadline. Sweeps run on one thread. */
    private Map<SocketWrapperBase<?>, Phase> seen = new HashMap<>();

    /**
     * @param connections the connector's open connections
     * @param onExpired told once per connection closed for a deadline, with {@code head} or {@code body}
     */
    RequestDeadlines(Supplier<? extends Collection<? extends SocketWrapperBase<?>>> connections, Duration head, Duration body,
                     LongSupplier clock, java.util.function.Consumer<String> onExpired) {
        this.connections = connections;
        this.headNanos = head.toNanos();
        this.bodyNanos = body.toNanos();
        this.clock = clock;
        this.onExpired = onExpired;
    }

    /** One pass over the open connections; closes those past a deadline. */
    void sweep() {
        long now = clock.getAsLong();
        Map<SocketWrapperBase<?>, Phase> next = new HashMap<>();
        for (SocketWrapperBase<?> connection : connections.get()) {
            if (connection.isClosed()) {
                continue;
            }
            Phase phase = phase(connection, now);
            if (phase == null) {
                continue;
            }
            Phase known = seen.get(connection);
            if (phase.same(known)) {
                phase = known;
            }
            long limit = "body".equals(phase.what()) ? bodyNanos : headNanos;
            if (now - phase.since() > limit) {
                expire(connection, phase.what(), now - phase.since());
            } else {
                next.put(connection, phase);
            }
        }
        seen = next;
    }

    /**
     * The phase a deadline applies to: a TLS handshake not yet complete, a request head being
     * parsed, or a body not yet fully read; null for an idle or evaluating connection.
     */
    private static Phase phase(SocketWrapperBase<?> connection, long now) {
        Object processor = connection.getCurrentProcessor();
        if (processor instanceof AbstractProcessor p) {
            Request request = p.getRequest();
            int stage = request.getRequestProcessor().getStage();
            if (stage == Constants.STAGE_PARSE || stage == Constants.STAGE_PREPARE) {
                return new Phase(request, request.getStartTimeNanos(), "head", now);
            }
            long length = request.getContentLengthLong();
            if (stage == Constants.STAGE_SERVICE && length > 0 && request.getBytesRead() < length) {
                return new Phase(request, request.getStartTimeNanos(), "body", now);
            }
            return null;
        }
        if (connection.getSocket() instanceof SecureNioChannel tls && !tls.isHandshakeComplete()) {
            return new Phase(tls, 0, "head", now);
        }
        return null;
    }

    private void expire(SocketWrapperBase<?> connection, String what, long tookNanos) {
        LOG.debug("closing a connection from {}: its request {} took over {} ms", connection.getRemoteAddr(), what,
                TimeUnit.NANOSECONDS.toMillis(tookNanos));
        onExpired.accept(what);
        // Tomcat's own poller closes it at its next timeout check, waking a reader blocked on it;
        // close() too, for a connection that is not registered with the poller right now.
        connection.setReadTimeout(1);
        connection.setWriteTimeout(1);
        connection.close();
    }
}
