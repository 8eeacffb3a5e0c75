package io.podguard.tls.managed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class ManagedCertificatesTest {

    static KubernetesMockServer server;
    static KubernetesClient client;

    private static final String NS = "podguard-system";
    private static final List<String> NAMES = List.of("podguard.podguard-system.svc", "podguard.podguard-system.svc.cluster.local");
    /** Short lives so renewal can be reached by moving the clock a few hours. */
    private static final Duration CA_LIFE = Duration.ofHours(3);
    private static final Duration SERVING_LIFE = Duration.ofHours(1);

    private final Instant t0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    private String secretName;
    private CertificateSettings settings;

    @BeforeEach
    void settings(org.junit.jupiter.api.TestInfo info) {
        // One Secret and one pair of webhook configurations per test: the CRUD server is shared.
        String id = info.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "").substring(0, 20);
        secretName = "tls-" + id;
        settings = new CertificateSettings(NS, secretName, "mutate-" + id, "validate-" + id, NAMES, CA_LIFE, SERVING_LIFE);
    }

    @Test
    void ensureWhenNoSecretThenCreatesCaAndServingCertificateSignedByIt() throws Exception {
        SecretCertificateStore.Result result = new SecretCertificateStore(client, settings).ensure(t0);

        assertThat(result.action()).isEqualTo(SecretCertificateStore.Action.CREATED);
        CertificateSet set = result.certificates();
        X509Certificate ca = set.ca().certificate();
        assertThat(ca.getSubjectX500Principal().getName()).isEqualTo("CN=podguard managed CA");
        assertThat(ca.getBasicConstraints()).isZero();
        assertThat(ca.getNotAfter().toInstant()).isEqualTo(t0.plus(CA_LIFE));
        assertThat(set.serving().getNotAfter().toInstant()).isEqualTo(t0.plus(SERVING_LIFE));
        assertThat(set.serving().getNotBefore().toInstant()).isEqualTo(t0.minus(Duration.ofMinutes(5)));
        assertThat(CertificateSet.namesOf(set.serving())).containsExactlyElementsOf(NAMES);
        assertThat(CertificateSet.signedBy(set.serving(), ca)).isTrue();
        assertThat(set.caBundle()).containsExactly(ca);

        Secret secret = client.secrets().inNamespace(NS).withName(secretName).get();
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(secret.getData()).containsOnlyKeys("ca.crt", "ca.key", "tls.crt", "tls.key", "ca-bundle.crt");
        assertThat(secret.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "podguard");
        assertThat(CertificateSet.fromSecretData(secret.getData())).isEqualTo(set);
    }

    @Test
    void ensureWhenSecretIsGoodThenReadsItAndWritesNothing() {
        SecretCertificateStore store = new SecretCertificateStore(client, settings);
        CertificateSet created = store.ensure(t0).certificates();
        String version = client.secrets().inNamespace(NS).withName(secretName).get().getMetadata().getResourceVersion();

        SecretCertificateStore.Result again = store.ensure(t0.plus(Duration.ofMinutes(30)));

        assertThat(again.action()).isEqualTo(SecretCertificateStore.Action.READ);
        assertThat(again.certificates()).isEqualTo(created);
        assertThat(client.secrets().inNamespace(NS).withName(secretName).get().getMetadata().getResourceVersion()).isEqualTo(version);
    }

    @Test
    void ensureWhenTwoReplicasStartTogetherThenBothAgreeOnOneCa() throws Exception {
        // Two replicas, each with its own client, racing from an absent Secret: the loser's
        // create gets 409 and it re-reads the winner's Secret.
        try (KubernetesClient first = server.createClient(); KubernetesClient second = server.createClient();
             ExecutorService pool = Executors.newFixedThreadPool(2)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<SecretCertificateStore.Result>> results = new ArrayList<>();
            for (KubernetesClient c : List.of(first, second)) {
                SecretCertificateStore store = new SecretCertificateStore(c, settings);
                Callable<SecretCertificateStore.Result> start = () -> {
                    go.await();
                    return store.ensure(t0);
                };
                results.add(pool.submit(start));
            }
            go.countDown();
            SecretCertificateStore.Result a = results.get(0).get();
            SecretCertificateStore.Result b = results.get(1).get();

            assertThat(a.certificates()).isEqualTo(b.certificates());
            assertThat(Stream.of(a.action(), b.action()).filter(x -> x == SecretCertificateStore.Action.CREATED)).hasSize(1);
            CertificateSet stored = CertificateSet.fromSecretData(client.secrets().inNamespace(NS).withName(secretName).get().getData());
            assertThat(stored).isEqualTo(a.certificates());
        }
    }

    @Test
    void injectWhenBothConfigurationsExistThenEveryWebhookCarriesTheBundle() {
        createWebhookConfigurations();
        CertificateSet set = new SecretCertificateStore(client, settings).ensure(t0).certificates();
        CaBundleInjector injector = new CaBundleInjector(client, settings.webhookConfigurations());

        assertThat(injector.inject(set, t0)).isEqualTo(CaBundleInjector.Outcome.INJECTED);

        assertThat(injectedBundles()).hasSize(3).allSatisfy(bundle -> assertThat(bundle).containsExactly(set.ca().certificate()));
        assertThat(injector.inject(set, t0)).isEqualTo(CaBundleInjector.Outcome.UNCHANGED);
    }

    @Test
    void ensureWhenServingCertificateIsDueThenRenewsItUnderTheSameCa() {
        SecretCertificateStore store = new SecretCertificateStore(client, settings);
        CertificateSet first = store.ensure(t0).certificates();
        // Serving life 1 h 5 min (back-dated 5 min): due at two thirds, 38 min 20 s after t0.
        assertThat(CertificateSet.renewalTime(first.serving())).isEqualTo(t0.plus(Duration.ofMinutes(38).plusSeconds(20)));

        assertThat(store.ensure(t0.plus(Duration.ofMinutes(38))).action()).isEqualTo(SecretCertificateStore.Action.READ);
        SecretCertificateStore.Result renewed = store.ensure(t0.plus(Duration.ofMinutes(39)));

        assertThat(renewed.action()).isEqualTo(SecretCertificateStore.Action.RENEWED);
        assertThat(renewed.certificates().ca().certificate()).isEqualTo(first.ca().certificate());
        assertThat(renewed.certificates().serving()).isNotEqualTo(first.serving());
        assertThat(renewed.certificates().serving().getNotAfter().toInstant()).isEqualTo(t0.plus(Duration.ofMinutes(39)).plus(SERVING_LIFE));
        assertThat(renewed.certificates().caBundle()).containsExactly(first.ca().certificate());
    }

    @Test
    void ensureWhenCaIsDueThenBundleHoldsNewAndOldCaUntilTheOldCannotBeServed() {
        createWebhookConfigurations();
        SecretCertificateStore store = new SecretCertificateStore(client, settings);
        CaBundleInjector injector = new CaBundleInjector(client, settings.webhookConfigurations());
        CertificateSet first = store.ensure(t0).certificates();
        injector.inject(first, t0);
        // CA life 3 h 5 min: due 2 h 3 min 20 s after t0.
        Instant switchTime = t0.plus(Duration.ofMinutes(125));

        CertificateSet second = store.ensure(switchTime).certificates();
        assertThat(injector.inject(second, switchTime)).isEqualTo(CaBundleInjector.Outcome.INJECTED);

        X509Certificate oldCa = first.ca().certificate();
        X509Certificate newCa = second.ca().certificate();
        assertThat(newCa).isNotEqualTo(oldCa);
        assertThat(second.caBundle()).containsExactly(newCa, oldCa);
        assertThat(CertificateSet.signedBy(second.serving(), newCa)).isTrue();
        // A replica that still serves the old certificate stays trusted, and so does one on the new.
        assertThat(injectedBundles()).hasSize(3).allSatisfy(bundle -> {
            assertThat(bundle).containsExactly(newCa, oldCa);
            assertThat(bundle).anySatisfy(ca -> assertThat(CertificateSet.signedBy(first.serving(), ca)).isTrue());
            assertThat(bundle).anySatisfy(ca -> assertThat(CertificateSet.signedBy(second.serving(), ca)).isTrue());
        });

        // The old CA expires 3 h after t0: from then on it leaves the bundle.
        assertThat(store.ensure(t0.plus(Duration.ofMinutes(179))).certificates().caBundle()).containsExactly(newCa, oldCa);
        SecretCertificateStore.Result pruned = store.ensure(t0.plus(Duration.ofMinutes(181)));
        assertThat(pruned.action()).isEqualTo(SecretCertificateStore.Action.RENEWED);
        assertThat(pruned.certificates().caBundle()).containsExactly(newCa);
        assertThat(pruned.certificates().ca().certificate()).isEqualTo(newCa);
    }

    @Test
    void injectWhenAnotherReplicaAlreadyInjectedANewerCaThenStaleAndNothingTakenBack() {
        createWebhookConfigurations();
        SecretCertificateStore store = new SecretCertificateStore(client, settings);
        CaBundleInjector injector = new CaBundleInjector(client, settings.webhookConfigurations());
        CertificateSet seenByLaggard = store.ensure(t0).certificates();
        Instant later = t0.plus(Duration.ofMinutes(125));
        CertificateSet renewed = store.ensure(later).certificates();
        injector.inject(renewed, later);

        assertThat(injector.inject(seenByLaggard, later)).isEqualTo(CaBundleInjector.Outcome.STALE);

        assertThat(injectedBundles()).allSatisfy(bundle -> assertThat(bundle).containsExactlyElementsOf(renewed.caBundle()));
    }

    @Test
    void ensureWhenSecretIsBrokenThenReplacesIt() {
        client.secrets().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata().withName(secretName).endMetadata()
                .addToData("tls.crt", Base64.getEncoder().encodeToString("garbage".getBytes(StandardCharsets.US_ASCII)))
                .build()).create();

        SecretCertificateStore.Result result = new SecretCertificateStore(client, settings).ensure(t0);

        assertThat(result.action()).isEqualTo(SecretCertificateStore.Action.RENEWED);
        assertThat(CertificateSet.fromSecretData(client.secrets().inNamespace(NS).withName(secretName).get().getData()))
                .isEqualTo(result.certificates());
    }

    /** An RSA set as an older podguard wrote it: RSA CA, RSA serving key, valid from t0. */
    private CertificateSet olderRsaSet() throws Exception {
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        io.podguard.tls.CertificateAuthority ca = io.podguard.tls.CertificateAuthority.create(CertificateSettings.CA_COMMON_NAME, t0, CA_LIFE,
                rsa.generateKeyPair());
        io.podguard.tls.CertificateAuthority.Issued serving = ca.issueServing(NAMES, t0, SERVING_LIFE, rsa.generateKeyPair());
        return new CertificateSet(ca, serving.certificate(), serving.keyPair().getPrivate(), List.of(ca.certificate()));
    }

    private void createSecret(java.util.Map<String, String> data) {
        client.secrets().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata().withName(secretName).endMetadata().withType("kubernetes.io/tls").withData(data)
                .build()).create();
    }

    /** Upgrading podguard keeps the RSA Secret it made before: read as it is, renewed under the same RSA CA when due. */
    @Test
    void rsaSecretFromAnOlderPodguardThenReusedAndRenewedUnderItsRsaCa() throws Exception {
        CertificateSet older = olderRsaSet();
        createSecret(older.toSecretData());
        String version = client.secrets().inNamespace(NS).withName(secretName).get().getMetadata().getResourceVersion();
        SecretCertificateStore store = new SecretCertificateStore(client, settings);

        SecretCertificateStore.Result read = store.ensure(t0.plus(Duration.ofMinutes(30)));

        assertThat(read.action()).isEqualTo(SecretCertificateStore.Action.READ);
        assertThat(read.certificates()).isEqualTo(older);
        assertThat(io.podguard.tls.KeyTypes.describe(read.certificates().servingKey())).isEqualTo("RSA 2048");
        assertThat(client.secrets().inNamespace(NS).withName(secretName).get().getMetadata().getResourceVersion()).isEqualTo(version);

        SecretCertificateStore.Result renewed = store.ensure(t0.plus(Duration.ofMinutes(39)));

        assertThat(renewed.action()).isEqualTo(SecretCertificateStore.Action.RENEWED);
        assertThat(renewed.certificates().ca().certificate()).isEqualTo(older.ca().certificate());
        assertThat(renewed.certificates().serving().getSigAlgName()).isEqualTo("SHA256withRSA");
        assertThat(io.podguard.tls.KeyTypes.describe(renewed.certificates().serving().getPublicKey())).isEqualTo("ECDSA P-256");
        assertThat(CertificateSet.signedBy(renewed.certificates().serving(), older.ca().certificate())).isTrue();
        assertThat(CertificateSet.fromSecretData(client.secrets().inNamespace(NS).withName(secretName).get().getData()))
                .isEqualTo(renewed.certificates());
    }

    /** When the RSA CA itself is due, the next CA is ECDSA and the old RSA CA stays in the bundle. */
    @Test
    void rsaCaFromAnOlderPodguardWhenDueThenAnEcdsaCaNextToIt() throws Exception {
        CertificateSet older = olderRsaSet();
        createSecret(older.toSecretData());

        CertificateSet next = new SecretCertificateStore(client, settings).ensure(t0.plus(Duration.ofMinutes(125))).certificates();

        assertThat(next.ca().certificate().getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(io.podguard.tls.KeyTypes.describe(next.servingKey())).isEqualTo("ECDSA P-256");
        assertThat(next.caBundle()).containsExactly(next.ca().certificate(), older.ca().certificate());
    }

    @Test
    void roundWhenServerServesTheCertificateThenReadyElseBlockedWithTheReason(@TempDir Path dir) throws Exception {
        createWebhookConfigurations();
        ServingFiles files = new ServingFiles(dir.resolve("tls.crt"), dir.resolve("tls.key"));
        RecordingGate gate = new RecordingGate();
        try (FileServingTlsServer https = new FileServingTlsServer(files)) {
            MutableClock clock = new MutableClock(t0);
            ManagedCertificates manager = new ManagedCertificates(settings, new SecretCertificateStore(client, settings),
                    new CaBundleInjector(client, settings.webhookConfigurations()), files,
                    new ServedCertificateProbe(https::port), gate, clock, Duration.ofMinutes(5));
            assertThat(gate.blocked).isEqualTo("no certificate from Secret podguard-system/" + secretName + " yet");

            ManagedCertificates.Round first = manager.round();

            assertThat(first.ready()).isTrue();
            assertThat(gate.blocked).isNull();
            assertThat(first.nextRound()).isEqualTo(t0.plus(Duration.ofMinutes(5)));
            assertThat(Files.readString(files.certFile())).isEqualTo(first.certificates().servingCertificatePem());
            assertThat(injectedBundles()).allSatisfy(bundle -> assertThat(bundle).containsExactly(first.certificates().ca().certificate()));

            // Past the serving renewal: new files, and not ready until the server serves them.
            clock.now = t0.plus(Duration.ofMinutes(39));
            https.frozen = true;
            ManagedCertificates.Round renewal = manager.round();
            assertThat(renewal.ready()).isFalse();
            assertThat(gate.blocked).isEqualTo("waiting for the HTTPS server to reload the serving certificate (serial "
                    + renewal.certificates().serving().getSerialNumber().toString(16) + ")");
            assertThat(renewal.nextRound()).isEqualTo(clock.now.plusSeconds(1));

            https.frozen = false;
            ManagedCertificates.Round reloaded = manager.round();
            assertThat(reloaded.ready()).isTrue();
            assertThat(gate.blocked).isNull();
            // The next serving renewal is 43 min away: the 5 min check interval comes first.
            assertThat(reloaded.nextRound()).isEqualTo(clock.now.plus(Duration.ofMinutes(5)));
        }
    }

    @Test
    void roundWhenAWebhookConfigurationIsMissingThenBlockedAndRetriedWithBackOff(@TempDir Path dir) {
        RecordingGate gate = new RecordingGate();
        MutableClock clock = new MutableClock(t0);
        ManagedCertificates manager = new ManagedCertificates(settings, new SecretCertificateStore(client, settings),
                new CaBundleInjector(client, settings.webhookConfigurations()),
                new ServingFiles(dir.resolve("tls.crt"), dir.resolve("tls.key")),
                new ServedCertificateProbe(() -> 0), gate, clock, Duration.ofMinutes(5));

        ManagedCertificates.Round first = manager.round();
        ManagedCertificates.Round second = manager.round();

        assertThat(gate.blocked).isEqualTo("MutatingWebhookConfiguration " + settings.mutatingWebhookConfiguration()
                + " not found: the CA bundle cannot be injected");
        assertThat(first.nextRound()).isEqualTo(t0.plusSeconds(1));
        assertThat(second.nextRound()).isEqualTo(t0.plusSeconds(2));
    }

    @Test
    void roundWhenTheReplicaDoesNotLeadThenItWritesNothingAndWaitsForTheLeader(@TempDir Path dir) throws Exception {
        createWebhookConfigurations();
        ServingFiles files = new ServingFiles(dir.resolve("tls.crt"), dir.resolve("tls.key"));
        RecordingGate gate = new RecordingGate();
        java.util.concurrent.atomic.AtomicBoolean leads = new java.util.concurrent.atomic.AtomicBoolean();
        try (FileServingTlsServer https = new FileServingTlsServer(files)) {
            MutableClock clock = new MutableClock(t0);
            ManagedCertificates follower = new ManagedCertificates(settings, new SecretCertificateStore(client, settings),
                    new CaBundleInjector(client, settings.webhookConfigurations()), files,
                    new ServedCertificateProbe(https::port), gate, clock, Duration.ofMinutes(5), leads::get);

            // No Secret yet: the follower makes none.
            assertThat(follower.round().ready()).isFalse();
            assertThat(gate.blocked).isEqualTo("no Secret podguard-system/" + secretName + " yet: the leader creates it");
            assertThat(client.secrets().inNamespace(NS).withName(secretName).get()).isNull();

            // The leader made it but has not injected the bundle: the follower injects nothing and waits.
            SecretCertificateStore leaderStore = new SecretCertificateStore(client, settings);
            CertificateSet set = leaderStore.ensure(t0).certificates();
            assertThat(follower.round().ready()).isFalse();
            assertThat(gate.blocked).isEqualTo("waiting for the leader to inject the CA bundle into the webhook configurations");
            assertThat(client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(settings.mutatingWebhookConfiguration())
                    .get().getWebhooks().getFirst().getClientConfig().getCaBundle()).isNull();

            // Injected: the follower serves the Secret's certificate.
            new CaBundleInjector(client, settings.webhookConfigurations()).inject(set, t0);
            ManagedCertificates.Round served = follower.round();
            assertThat(served.ready()).isTrue();
            assertThat(served.certificates()).isEqualTo(set);

            // Renewal due: the follower keeps serving what is there and writes nothing.
            String version = client.secrets().inNamespace(NS).withName(secretName).get().getMetadata().getResourceVersion();
            clock.now = t0.plus(Duration.ofMinutes(39));
            ManagedCertificates.Round due = follower.round();
            assertThat(due.ready()).isTrue();
            assertThat(due.certificates()).isEqualTo(set);
            assertThat(client.secrets().inNamespace(NS).withName(secretName).get().getMetadata().getResourceVersion()).isEqualTo(version);

            // It becomes the leader: it renews, injects and serves the new certificate.
            leads.set(true);
            ManagedCertificates.Round renewed = follower.round();
            assertThat(renewed.ready()).isTrue();
            assertThat(renewed.certificates().serving()).isNotEqualTo(set.serving());
            assertThat(renewed.certificates().ca().certificate()).isEqualTo(set.ca().certificate());
            assertThat(injectedBundles()).allSatisfy(bundle -> assertThat(bundle).containsExactly(set.ca().certificate()));
            assertThat(client.secrets().inNamespace(NS).withName(secretName).get().getMetadata().getResourceVersion()).isNotEqualTo(version);
        }
    }

    private void createWebhookConfigurations() {
        WebhookClientConfig service = new WebhookClientConfig(null, new io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference(
                "podguard", NS, "/mutate", 443), null);
        client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(new MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName(settings.mutatingWebhookConfiguration()).endMetadata()
                .addNewWebhook().withName("mutate.podguard.io").withClientConfig(service)
                .withAdmissionReviewVersions("v1").withSideEffects("None").endWebhook()
                .build()).create();
        client.admissionRegistration().v1().validatingWebhookConfigurations().resource(new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata().withName(settings.validatingWebhookConfiguration()).endMetadata()
                .addNewWebhook().withName("pods.validate.podguard.io").withClientConfig(service)
                .withAdmissionReviewVersions("v1").withSideEffects("None").endWebhook()
                .addNewWebhook().withName("workloads.validate.podguard.io").withClientConfig(service)
                .withAdmissionReviewVersions("v1").withSideEffects("None").endWebhook()
                .build()).create();
    }

    /** The CA bundle of every webhook of both configurations, decoded. */
    private List<List<X509Certificate>> injectedBundles() {
        List<String> encoded = new ArrayList<>();
        MutatingWebhookConfiguration m = client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(settings.mutatingWebhookConfiguration()).get();
        m.getWebhooks().forEach(w -> encoded.add(w.getClientConfig().getCaBundle()));
        ValidatingWebhookConfiguration v = client.admissionRegistration().v1().validatingWebhookConfigurations()
                .withName(settings.validatingWebhookConfiguration()).get();
        v.getWebhooks().forEach(w -> encoded.add(w.getClientConfig().getCaBundle()));
        return encoded.stream()
                .map(e -> CertificateSet.certificates(new String(Base64.getDecoder().decode(e), StandardCharsets.US_ASCII), "caBundle"))
                .toList();
    }

    static final class RecordingGate implements ManagedCertificates.ReadinessGate {
        volatile String blocked;

        @Override
        public void block(String why) {
            blocked = why;
        }

        @Override
        public void ready() {
            blocked = null;
        }
    }

    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
