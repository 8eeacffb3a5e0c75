package io.podguard.tls.managed;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link CertificateSet} in one Secret that every replica shares. Only the leader
 * writes it (with leader election on); every write is conditional all the same: a create fails
 * when another replica created the Secret first, an update fails when the Secret changed since
 * it was read. The loser re-reads and takes what the winner wrote, so replicas agree on one CA
 * even while two of them believe they lead.
 */
public final class SecretCertificateStore {

    private static final Logger LOG = LoggerFactory.getLogger(SecretCertificateStore.class);
    /** Conflicts only happen between replicas; a handful of rounds settles any realistic race. */
    private static final int MAX_ATTEMPTS = 8;

    static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    static final String MANAGED_BY = "podguard";

    private final KubernetesClient client;
    private final CertificateSettings settings;

    public SecretCertificateStore(KubernetesClient client, CertificateSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    /** What {@link #ensure} found: the set in force and whether this call wrote it. */
    public record Result(CertificateSet certificates, Action action) {
    }

    public enum Action {
        /** The Secret held a good set; nothing written. */
        READ,
        /** No Secret yet: this replica created it. */
        CREATED,
        /** The set was due (or unreadable): this replica renewed it. */
        RENEWED
    }

    /**
     * The set in force at {@code now}: read from the Secret, created when there is none,
     * renewed when due.
     *
     * @throws KubernetesClientException when the API refuses (RBAC, network); the caller retries
     */
    public Result ensure(Instant now) {
        return ensure(now, true);
    }

    /**
     * As {@link #ensure(Instant)}; a replica that may not write (it does not lead) only reads:
     * it takes the set in force even when renewal is due, and waits when there is none.
     *
     * @throws WaitingForLeader when there is no usable set and this replica may not make one
     */
    public Result ensure(Instant now, boolean mayWrite) {
        if (!mayWrite) {
            return read();
        }
        for (int attempt = 1; ; attempt++) {
            Secret secret = secrets().withName(settings.secretName()).get();
            try {
                return secret == null ? create(now) : reconcile(secret, now);
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
                LOG.debug("Secret {}/{} changed under us (attempt {}): reading it again", settings.namespace(), settings.secretName(), attempt);
            }
        }
    }

    /** Thrown to a replica that does not lead when the Secret holds nothing it can serve: the leader makes it. */
    public static final class WaitingForLeader extends RuntimeException {
        WaitingForLeader(String why) {
            super(why);
        }
    }

    private Result read() {
        Secret secret = secrets().withName(settings.secretName()).get();
        if (secret == null) {
            throw new WaitingForLeader("no Secret " + settings.namespace() + "/" + settings.secretName() + " yet: the leader creates it");
        }
        try {
            return new Result(CertificateSet.fromSecretData(secret.getData() == null ? Map.of() : secret.getData()), Action.READ);
        } catch (IllegalArgumentException e) {
            throw new WaitingForLeader("Secret " + settings.namespace() + "/" + settings.secretName()
                    + " holds no usable certificates (" + e.getMessage() + "): the leader replaces them");
        }
    }

    private Result create(Instant now) {
        CertificateSet set = CertificateSet.create(now, settings);
        secrets().resource(secret(set, null)).create();
        LOG.info("created Secret {}/{} with a new CA (serial {}) and serving certificate valid until {}",
                settings.namespace(), settings.secretName(), set.ca().certificate().getSerialNumber().toString(16),
                set.serving().getNotAfter().toInstant());
        return new Result(set, Action.CREATED);
    }

    private Result reconcile(Secret secret, Instant now) {
        CertificateSet current;
        try {
            current = CertificateSet.fromSecretData(secret.getData() == null ? Map.of() : secret.getData());
        } catch (IllegalArgumentException e) {
            // Someone emptied or broke it: start over rather than stay down.
            LOG.warn("Secret {}/{} holds no usable certificates ({}): replacing them", settings.namespace(), settings.secretName(), e.getMessage());
            CertificateSet fresh = CertificateSet.create(now, settings);
            secrets().resource(secret(fresh, secret.getMetadata().getResourceVersion())).update();
            return new Result(fresh, Action.RENEWED);
        }
        Optional<CertificateSet> renewed = current.renewed(now, settings);
        if (renewed.isEmpty()) {
            return new Result(current, Action.READ);
        }
        CertificateSet next = renewed.get();
        secrets().resource(secret(next, secret.getMetadata().getResourceVersion())).update();
        if (!next.ca().certificate().equals(current.ca().certificate())) {
            LOG.info("renewed the CA in Secret {}/{}: new CA serial {}, the previous one stays in the CA bundle",
                    settings.namespace(), settings.secretName(), next.ca().certificate().getSerialNumber().toString(16));
        } else if (!next.serving().equals(current.serving())) {
            LOG.info("renewed the serving certificate in Secret {}/{}: valid until {}",
                    settings.namespace(), settings.secretName(), next.serving().getNotAfter().toInstant());
        } else {
            LOG.info("dropped an expired CA from the bundle in Secret {}/{}", settings.namespace(), settings.secretName());
        }
        return new Result(next, Action.RENEWED);
    }

    /** The Secret for {@code set}; with a resourceVersion, the update is conditional on it. */
    private Secret secret(CertificateSet set, String resourceVersion) {
        return new SecretBuilder()
                .withNewMetadata()
                    .withName(settings.secretName())
                    .withNamespace(settings.namespace())
                    .withResourceVersion(resourceVersion)
                    .addToLabels(MANAGED_BY_LABEL, MANAGED_BY)
                    .addToAnnotations("podguard.io/serving-not-after", set.serving().getNotAfter().toInstant().toString())
                    .addToAnnotations("podguard.io/ca-not-after", set.ca().certificate().getNotAfter().toInstant().toString())
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(set.toSecretData())
                .build();
    }

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<Secret, io.fabric8.kubernetes.api.model.SecretList,
            io.fabric8.kubernetes.client.dsl.Resource<Secret>> secrets() {
        return client.secrets().inNamespace(settings.namespace());
    }
}
