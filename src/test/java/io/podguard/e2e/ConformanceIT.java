package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.podguard.admission.AdmissionHandler;
import io.podguard.report.ReviewObserver;
import io.podguard.admission.Endpoint;
import io.podguard.e2e.WebhookConfigurations.FailurePolicy;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.engine.pss.Check;
import io.podguard.engine.pss.PodSecurityChecks;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import io.podguard.testing.GoModules;
import io.podguard.testing.Reviews;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Kubernetes' Pod Security Admission fixtures, a sample across levels and versions, judged through
 * the apiserver (podguard registered, the fixture created with {@code dryRun=All}) exactly as
 * through the {@code review} code path ({@link AdmissionHandler} in this JVM) given the pod the
 * apiserver sends: same verdict, same message. Fixtures of checks podguard implements must also get
 * the verdict upstream expects.
 */
class ConformanceIT extends ClusterTest {

    /** {@code foo2.yaml} before {@code foo10.yaml}. */
    private static final Comparator<Path> FIXTURE_ORDER = Comparator.comparing((Path f) -> checkId(f))
            .thenComparingInt(f -> Integer.parseInt("0" + f.getFileName().toString().replaceAll("^.*?([0-9]*)\\.yaml$", "$1")));
    private static final String DENIED_PREFIX = "admission webhook \"" + WebhookConfigurations.VALIDATING_WEBHOOK + "\" denied the request: ";
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    @AfterAll
    static void unregister() {
        WebhookConfigurations.delete(client);
    }

    @ParameterizedTest(name = "{0}:{1}")
    @CsvSource({"baseline, v1.0", "restricted, v1.22", "restricted, v1.37"})
    void fixturesWhenJudgedThroughApiserverThenSameAsReview(String level, String version) {
        String policy = Policies.enforceOnly(level, version);
        try (Podguard podguard = Podguard.start("conformance-" + level + "-" + version, policy)) {
            WebhookConfigurations.register(client, podguard, FailurePolicy.Fail);
            String ns = Namespaces.create(client, "pss-" + level);
            // Not sent to podguard (the release namespace, which the chart always excludes): where the
            // apiserver shows the pod a webhook would be sent.
            String unwatched = ChartIT.NS;
            client.resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(unwatched).endMetadata().build())
                    .forceConflicts().serverSideApply();
            PolicyResolver resolver = PolicyResolver.fixed(PolicyLoader.parse(policy));
            AdmissionHandler review = new AdmissionHandler(Engine.standard(), () -> resolver, ReviewObserver.NONE);
            Set<String> implemented = PodSecurityChecks.registry().checks().stream()
                    .map(Check::id).map(id -> id.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());

            List<List<Path>> groups = groups(fixtureDirectory().resolve(level).resolve(version));
            assertThat(groups).as("checks with fixtures at %s:%s", level, version).hasSizeGreaterThan(10);
            int judged = 0;
            int denied = 0;
            List<String> invalid = new ArrayList<>();
            SoftAssertions softly = new SoftAssertions();
            for (List<Path> group : groups) {
                // The first fixture of the group that this apiserver accepts as a pod at all: some are
                // refused by its own validation before any webhook (procMount Unmasked needs hostUsers: false).
                for (Path fixture : group) {
                    ObjectNode pod = (ObjectNode) YAML.readTree(read(fixture));
                    ObjectNode metadata = (ObjectNode) pod.path("metadata");
                    // Upstream names some fixtures after their check id (capabilities_restricted0): not a valid object name.
                    metadata.put("name", metadata.path("name").asString().replace('_', '-'));
                    metadata.put("namespace", ns);
                    String name = fixture.getParent().getFileName() + "/" + fixture.getFileName();

                    ObjectNode asSent = asSentToWebhooks(unwatched, pod);
                    if (asSent == null) {
                        invalid.add(name);
                        continue;
                    }
                    ((ObjectNode) asSent.path("metadata")).put("namespace", ns);
                    String throughApiserver = throughApiserver(ns, pod);
                    String throughReview = throughReview(review, asSent);

                    softly.assertThat(throughApiserver).as("%s through the apiserver vs review", name).isEqualTo(throughReview);
                    judged++;
                    denied += throughApiserver.startsWith("denied") ? 1 : 0;
                    if (implemented.contains(checkId(fixture))) {
                        boolean pass = fixture.getParent().getFileName().toString().equals("pass");
                        softly.assertThat(throughApiserver).as("%s: upstream's verdict", name)
                                .matches(pass ? "allowed" : "denied: violates PodSecurity \"" + level + ":" + version + "\": .+");
                    }
                    break;
                }
            }
            System.out.printf("conformance %s:%s through the apiserver: %d fixtures judged, %d denied; invalid for the apiserver: %s%n",
                    level, version, judged, denied, invalid);
            // Only upstream's procMount: Unmasked fixtures with hostUsers: true are not valid pods for a v1.35+ apiserver;
            // any other refusal means the fixture did not reach admission as written.
            softly.assertThat(invalid).as("fixtures the apiserver refuses as invalid").allMatch(name -> name.contains("/procmount"));
            softly.assertThat(judged).as("checks judged").isGreaterThanOrEqualTo(groups.size() - 1);
            softly.assertThat(denied).as("denials among the fail fixtures of implemented checks").isPositive();
            softly.assertAll();
        }
    }

    /**
     * The pod as the apiserver sends it to webhooks: its defaults and admission plugins applied, and
     * the AppArmor annotations copied into the containers' {@code appArmorProfile} fields. Null when
     * the apiserver refuses the fixture as an invalid pod.
     */
    private static ObjectNode asSentToWebhooks(String unwatched, ObjectNode pod) {
        ObjectNode copy = pod.deepCopy();
        ((ObjectNode) copy.path("metadata")).put("namespace", unwatched);
        GenericKubernetesResource resource = client.getKubernetesSerialization()
                .unmarshal(Json.mapper().writeValueAsString(copy), GenericKubernetesResource.class);
        try {
            GenericKubernetesResource created = client.genericKubernetesResources("v1", "Pod").inNamespace(unwatched)
                    .resource(resource).dryRun().create();
            return (ObjectNode) Json.mapper().readTree(client.getKubernetesSerialization().asJson(created));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 422 && "Invalid".equals(e.getStatus().getReason())) {
                return null;
            }
            throw e;
        }
    }

    /** "allowed", or "denied: " and the message without the apiserver's prefix. */
    private static String throughApiserver(String ns, ObjectNode pod) {
        GenericKubernetesResource resource = client.getKubernetesSerialization()
                .unmarshal(Json.mapper().writeValueAsString(pod), GenericKubernetesResource.class);
        try {
            client.genericKubernetesResources("v1", "Pod").inNamespace(ns).resource(resource).dryRun().create();
            return "allowed";
        } catch (KubernetesClientException e) {
            String message = e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage();
            if (e.getCode() == 403 && message.startsWith(DENIED_PREFIX)) {
                return "denied: " + message.substring(DENIED_PREFIX.length());
            }
            return "refused by the apiserver (" + e.getCode() + "): " + message;
        }
    }

    private static String throughReview(AdmissionHandler review, ObjectNode pod) {
        try {
            byte[] answer = review.handle(Endpoint.VALIDATE,
                    Reviews.create(Json.mapper().writeValueAsString(pod)).getBytes(StandardCharsets.UTF_8));
            JsonNode response = Reviews.response(answer);
            return response.path("allowed").asBoolean() ? "allowed" : "denied: " + response.path("status").path("message").asString();
        } catch (Exception e) {
            return "review failed: " + e;
        }
    }

    /** The fixtures of each check and verdict (pass, fail), in order: each check of the level and version, both ways. */
    private static List<List<Path>> groups(Path dir) {
        List<List<Path>> groups = new ArrayList<>();
        for (String verdict : List.of("pass", "fail")) {
            try (Stream<Path> files = Files.list(dir.resolve(verdict))) {
                Map<String, List<Path>> perCheck = new TreeMap<>();
                files.filter(f -> f.toString().endsWith(".yaml")).sorted(FIXTURE_ORDER)
                        .forEach(f -> perCheck.computeIfAbsent(checkId(f), id -> new ArrayList<>()).add(f));
                groups.addAll(perCheck.values());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read fixtures in " + dir, e);
            }
        }
        return groups;
    }

    /** {@code capabilities_restricted0.yaml} → {@code capabilities_restricted}. */
    private static String checkId(Path fixture) {
        return fixture.getFileName().toString().replaceAll("[0-9]*\\.yaml$", "");
    }

    /** Upstream's fixtures from the Go module the e2e tier pins (see {@link GoModules}). */
    static Path fixtureDirectory() {
        return GoModules.podSecurityFixtures();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
