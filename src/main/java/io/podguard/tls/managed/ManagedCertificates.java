package io.podguard.tls.managed;

import io.podguard.engine.Text;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The self-managed certificate loop of one replica: read (or, on the leader, create or renew)
 * the shared set, inject its CA bundle (the leader; the others wait until it is there), write
 * the serving files, and hold readiness until the server serves that very certificate. Runs at start-up, then before the next renewal is due or every check
 * interval, whichever comes first (another replica may have renewed the Secret), and retries
 * with back-off while something is missing.
 */
public final class ManagedCertificates implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ManagedCertificates.class);
    /** The readiness condition this loop holds. */
    public static final String CONDITION = "certificate";
    private static final Duration MIN_RETRY = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY = Duration.ofSeconds(30);

    /** Readiness, seen from here: blocked with a reason, or ready. */
    public interface ReadinessGate {
        void block(String why);

        void ready();
    }

    /** One round's result: the set in force, and why the replica is not ready (null when it is). */
    public record Round(@Nullable CertificateSet certificates, @Nullable String notReady, Instant nextRound) {
        public boolean ready() {
            return notReady == null;
        }
    }

    private final CertificateSettings settings;
    private final SecretCertificateStore store;
    private final CaBundleInjector injector;
    private final ServingFiles files;
    private final ServedCertificateProbe probe;
    private final ReadinessGate readiness;
    private final Clock clock;
    private final Duration checkInterval;
    private final BooleanSupplier mayWrite;
    private @Nullable ScheduledExecutorService scheduler;
    private java.util.concurrent.@Nullable ScheduledFuture<?> pending;
    private Duration retry = MIN_RETRY;

    public ManagedCertificates(CertificateSettings settings, SecretCertificateStore store, CaBundleInjector injector,
                               ServingFiles files, ServedCertificateProbe probe, ReadinessGate readiness,
                               Clock clock, Duration checkInterval) {
        this(settings, store, injector, files, probe, readiness, clock, checkInterval, () -> true);
    }

    /**
     * @param mayWrite whether this replica leads: only the leader creates and renews the Secret
     *     and injects the CA bundle; the others read the Secret, check the bundle, and serve
     */
    public ManagedCertificates(CertificateSettings settings, SecretCertificateStore store, CaBundleInjector injector,
                               ServingFiles files, ServedCertificateProbe probe, ReadinessGate readiness,
                               Clock clock, Duration checkInterval, BooleanSupplier mayWrite) {
        this.mayWrite = mayWrite;
        this.settings = settings;
        this.store = store;
        this.injector = injector;
        this.files = files;
        this.probe = probe;
        this.readiness = readiness;
        this.clock = clock;
        this.checkInterval = checkInterval;
        readiness.block("no certificate from Secret " + settings.namespace() + "/" + settings.secretName() + " yet");
    }

    /** Starts the loop on its own thread; the first round runs now. */
    public synchronized void start() {
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("podguard-certificates").daemon().factory());
            scheduler.execute(this::roundAndReschedule);
        }
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    /** Runs a round now (this replica just became the leader: a renewal may be due), then as before. */
    public synchronized void soon() {
        // Only a round that waits is brought forward; one that runs now reschedules itself.
        if (scheduler != null && pending != null && pending.cancel(false)) {
            pending = scheduler.schedule(this::roundAndReschedule, 0, TimeUnit.MILLISECONDS);
        }
    }

    private void roundAndReschedule() {
        Round round = round();
        Duration delay = Duration.between(clock.instant(), round.nextRound());
        synchronized (this) {
            if (scheduler != null) {
                pending = scheduler.schedule(this::roundAndReschedule, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Runs one round and says when the next should run. Never throws. */
    public Round round() {
        Instant now = clock.instant();
        CertificateSet set = null;
        String notReady;
        boolean leads = mayWrite.getAsBoolean();
        try {
            set = store.ensure(now, leads).certificates();
            notReady = apply(set, now, leads);
        } catch (SecretCertificateStore.WaitingForLeader e) {
            notReady = e.getMessage();
        } catch (CaBundleInjector.MissingConfigurationException e) {
            notReady = e.getMessage() + ": the CA bundle cannot be injected";
        } catch (KubernetesClientException e) {
            notReady = "Kubernetes API: " + Text.oneLine(e.getMessage());
        } catch (IOException e) {
            notReady = "cannot write the serving certificate files: " + Text.oneLine(e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("managed certificates: unexpected failure", e);
            notReady = "unexpected " + e.getClass().getSimpleName() + ": " + Text.oneLine(e.getMessage());
        }
        Instant next;
        if (notReady == null) {
            readiness.ready();
            retry = MIN_RETRY;
            Instant due = set.nextChange(settings);
            next = now.plus(checkInterval);
            if (due.isBefore(next)) {
                next = due.isBefore(now) ? now : due;
            }
        } else {
            readiness.block(notReady);
            LOG.warn("managed certificates not ready: {} (next try in {} s)", notReady, retry.toSeconds());
            next = now.plus(retry);
            retry = retry.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : retry.multipliedBy(2);
        }
        return new Round(set, notReady, next);
    }

    /** Injects, writes, probes: null when the server serves {@code set}'s certificate, else why not. */
    private @Nullable String apply(CertificateSet set, Instant now, boolean leads) throws IOException {
        // The bundle goes in before the certificate is served: the apiserver must trust it first.
        CaBundleInjector.Outcome injected = injector.inject(set, now, leads);
        if (injected == CaBundleInjector.Outcome.STALE) {
            return "the Secret was renewed by another replica since it was read";
        }
        if (injected == CaBundleInjector.Outcome.PENDING) {
            return "waiting for the leader to inject the CA bundle into the webhook configurations";
        }
        if (files.write(set)) {
            LOG.info("serving certificate (serial {}) written to {}", set.serving().getSerialNumber().toString(16), files.certFile());
        }
        Optional<X509Certificate> served = probe.served();
        if (served.isEmpty()) {
            return "the HTTPS server does not answer yet";
        }
        if (!served.get().equals(set.serving())) {
            return "waiting for the HTTPS server to reload the serving certificate (serial " + set.serving().getSerialNumber().toString(16) + ")";
        }
        return null;
    }

}
