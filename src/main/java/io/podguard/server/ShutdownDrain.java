package io.podguard.server;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * On shutdown, keeps serving for a moment after readiness has dropped, so that clients (the
 * Service's endpoints, a load balancer) stop sending before the server stops accepting. Spring
 * marks readiness REFUSING_TRAFFIC when the context closes; this lifecycle stops first (highest
 * phase) and waits {@code podguard.shutdown-drain-delay}; then Tomcat's graceful shutdown lets
 * in-flight reviews complete.
 */
final class ShutdownDrain implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownDrain.class);

    private final Duration delay;
    private final Readiness readiness;
    private volatile boolean running;

    ShutdownDrain(Duration delay, Readiness readiness) {
        this.delay = delay;
        this.readiness = readiness;
    }

    @Override
    public void start() {
        // A stopped context can be started again (Spring's test context cache pauses and resumes
        // contexts): readiness must come back with it.
        readiness.ready("shutdown");
        running = true;
    }

    @Override
    public void stop() {
        readiness.block("shutdown", "shutting down");
        if (!delay.isZero() && !delay.isNegative()) {
            LOG.info("shutting down: not ready; serving in-flight and late requests for {} before closing", delay);
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stopped before the web server's graceful shutdown (which runs at a lower phase). */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
