package io.podguard.server;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * Tomcat's NIO HTTP/1.1 protocol with {@link RequestDeadlines} swept over its connections while
 * it runs. A subclass only because the endpoint (and so the open connections) is protected.
 * Tomcat makes it by class name ({@code server.tomcat} protocol); {@link ServerConfiguration}
 * configures it through the setters before it starts.
 */
public class DeadlineNioProtocol extends Http11NioProtocol {

    /** How often the connections are swept: a deadline holds to within this. */
    static final Duration SWEEP = Duration.ofMillis(250);

    private RequestDeadlines deadlines;
    private RequestDeadlines.Expired expired = body -> { };
    private volatile Thread sweeper;

    /** Sweeps {@code deadlines} over this connector's connections while it runs. */
    void deadlines(RequestDeadlines deadlines, RequestDeadlines.Expired expired) {
        this.deadlines = deadlines;
        this.expired = expired;
    }

    @SuppressWarnings("unchecked")
    Collection<SocketWrapperBase<?>> connections() {
        return (Collection<SocketWrapperBase<?>>) (Collection<?>) getEndpoint().getConnections();
    }

    @Override
    public void start() throws Exception {
        super.start();
        RequestDeadlines swept = deadlines;
        if (swept == null) {
            return;
        }
        Thread t = Thread.ofPlatform().daemon().name("podguard-deadlines-" + getPort()).unstarted(() -> {
            while (sweeper == Thread.currentThread()) {
                try {
                    TimeUnit.NANOSECONDS.sleep(SWEEP.toNanos());
                    swept.sweep(connections(), expired);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    getLog().warn("request deadline sweep failed: " + e);
                }
            }
        });
        sweeper = t;
        t.start();
    }

    @Override
    public void stop() throws Exception {
        Thread t = sweeper;
        sweeper = null;
        if (t != null) {
            t.interrupt();
        }
        super.stop();
    }
}
