package io.podguard.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.podguard.report.MetricNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Enumeration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleRegistry;
import org.springframework.boot.ssl.SslBundles;

/**
 * Watches the served certificate: its expiry as a gauge, reloads counted. Spring's SSL bundle
 * reloads good files and keeps the last good certificate when new files are garbage; this
 * notices the garbage too, so that metrics and logs say so. Files that parse but do not go
 * together (a key of another pair, or of a type podguard does not serve, e.g. a key written
 * before its certificate) would be taken by Spring and fail every handshake while the server
 * reports ready: such a bundle is refused here and the last good one put back in force.
 */
final class TlsMonitor implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(TlsMonitor.class);
    static final String BUNDLE = "podguard";

    private final AtomicLong expiry = new AtomicLong();
    private final Counter reloadSuccess;
    private final Counter reloadFailure;
    private final ScheduledExecutorService poller;
    private final Path certFile;
    private final Path keyFile;
    private volatile FileTime lastSeen;
    private volatile boolean lastFailed;
    /** The bundle in force that was checked to serve; put back when a reload brings one that cannot. */
    private volatile SslBundle lastGood;

    TlsMonitor(SslBundles bundles, MeterRegistry registry, Path certFile, Path keyFile) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        Gauge.builder(MetricNames.TLS_CERTIFICATE_EXPIRY, expiry, AtomicLong::get)
                .description("Expiry of the served certificate, seconds since the epoch")
                .register(registry);
        reloadSuccess = Counter.builder(MetricNames.TLS_RELOADS).tag(MetricNames.RESULT, "success")
                .description("Serving certificate reloads").register(registry);
        reloadFailure = Counter.builder(MetricNames.TLS_RELOADS).tag(MetricNames.RESULT, "failure")
                .description("Serving certificate reloads").register(registry);
        lastGood = bundles.getBundle(BUNDLE);
        update(lastGood);
        bundles.addBundleUpdateHandler(BUNDLE, bundle -> {
            if (bundle == lastGood) {
                return; // put back by the refusal below
            }
            String unusable = unusable(bundle);
            if (unusable != null && bundles instanceof SslBundleRegistry bundleRegistry) {
                SslBundle good = lastGood;
                if (!lastFailed) { // counted once, here or by the poll below, whichever sees it first
                    reloadFailure.increment();
                    LOG.error("serving certificate files changed but cannot be used ({}); still serving the last good certificate, "
                            + "which expires {}", unusable, java.time.Instant.ofEpochSecond(expiry.get()));
                }
                lastFailed = true;
                bundleRegistry.updateBundle(BUNDLE, good);
                return;
            }
            lastGood = bundle;
            update(bundle);
            reloadSuccess.increment();
            lastFailed = false;
            LOG.info("serving certificate reloaded; expires {}", java.time.Instant.ofEpochSecond(expiry.get()));
        });
        lastSeen = modified();
        poller = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("podguard-tls-monitor").factory());
        if (certFile != null) {
            poller.scheduleWithFixedDelay(this::poll, 2, 2, TimeUnit.SECONDS);
        }
    }

    private void poll() {
        FileTime now = modified();
        if (now == null || now.equals(lastSeen)) {
            return;
        }
        lastSeen = now;
        try {
            io.podguard.tls.ServingCertificates.readCertificates(certFile).getFirst();
            if (keyFile != null) {
                java.security.PrivateKey key = org.springframework.boot.ssl.pem.PemContent.load(keyFile).getPrivateKey();
                if (key == null) {
                    throw new IllegalArgumentException("no PEM private key");
                }
                io.podguard.tls.KeyTypes.signatureAlgorithm(key); // a type podguard serves, else says which
            }
        } catch (Exception e) {
            if (!lastFailed) {
                reloadFailure.increment();
                LOG.error("serving certificate files changed but cannot be used ({}); still serving the last good certificate, "
                        + "which expires {}", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(),
                        java.time.Instant.ofEpochSecond(expiry.get()));
            }
            lastFailed = true;
        }
    }

    private FileTime modified() {
        try {
            if (certFile == null) {
                return null;
            }
            FileTime a = Files.getLastModifiedTime(certFile);
            FileTime b = keyFile == null ? a : Files.getLastModifiedTime(keyFile);
            return a.compareTo(b) >= 0 ? a : b;
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * Why the bundle cannot serve, or null when it can: its key must sign what its certificate's
     * key verifies, and be of a type podguard serves. One signature per reload.
     */
    static String unusable(SslBundle bundle) {
        try {
            KeyStore store = bundle.getStores().getKeyStore();
            String password = bundle.getKey().getPassword();
            char[] secret = password == null ? new char[0] : password.toCharArray();
            Enumeration<String> aliases = store.aliases();
            while (aliases.hasMoreElements()) {
                String alias = aliases.nextElement();
                if (store.getKey(alias, secret) instanceof java.security.PrivateKey key
                        && store.getCertificate(alias) instanceof X509Certificate cert) {
                    if (io.podguard.tls.KeyTypes.matches(cert.getPublicKey(), key)) {
                        return null;
                    }
                    return "the " + io.podguard.tls.KeyTypes.describe(key) + " key is not the key of the certificate ("
                            + io.podguard.tls.KeyTypes.describe(cert.getPublicKey()) + ") or not a type podguard serves";
                }
            }
            return "no private key with its certificate";
        } catch (Exception e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
    }

    private void update(SslBundle bundle) {
        try {
            KeyStore store = bundle.getStores().getKeyStore();
            Enumeration<String> aliases = store.aliases();
            while (aliases.hasMoreElements()) {
                Certificate cert = store.getCertificate(aliases.nextElement());
                if (cert instanceof X509Certificate x509) {
                    expiry.set(x509.getNotAfter().toInstant().getEpochSecond());
                    return;
                }
            }
        } catch (Exception e) {
            LOG.warn("cannot read the served certificate's expiry: {}", e.getMessage());
        }
    }

    @Override
    public void destroy() {
        poller.shutdownNow();
    }
}
