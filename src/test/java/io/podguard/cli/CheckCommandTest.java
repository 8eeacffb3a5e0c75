package io.podguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.Main;
import io.podguard.engine.Json;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code podguard check}, run through the real entry point's command line. */
class CheckCommandTest {

    private static final String MANIFESTS = "src/test/resources/manifests/";

    record Run(int exit, String out, String err) {
    }

    private static Run check(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 1];
        all[0] = "check";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = cli.execute(all);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void checkWhenHelmReleaseIsRestrictedCompliantThenExitZero() {
        Run run = check(MANIFESTS + "compliant");

        assertThat(run.exit()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).isEqualTo("""
                src/test/resources/manifests/compliant/web.yaml: Deployment shop/web: after defaults: preStop (container web)
                src/test/resources/manifests/compliant/web.yaml: Deployment shop/web: allowed
                src/test/resources/manifests/compliant/web.yaml: CronJob shop/web-cleanup: after defaults: resources (container cleanup), preStop (container cleanup)
                src/test/resources/manifests/compliant/web.yaml: CronJob shop/web-cleanup: allowed
                2 objects checked, 0 denied
                """);
        assertThat(check("--no-defaults", MANIFESTS + "compliant").out()).isEqualTo("""
                src/test/resources/manifests/compliant/web.yaml: Deployment shop/web: allowed
                src/test/resources/manifests/compliant/web.yaml: CronJob shop/web-cleanup: allowed
                2 objects checked, 0 denied
                """);
    }

    @Test
    void checkWhenWorkloadUnderPlacementThenItsTemplateJudgedAfterThePlacementDefaults(@TempDir Path dir) throws Exception {
        Path manifest = dir.resolve("deploy.yaml");
        Files.writeString(manifest, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: trainer, namespace: ml}
                spec:
                  template:
                    spec:
                      nodeSelector: {dedicated: web}
                      containers: [{name: app, image: app, resources: {limits: {nvidia.com/gpu: 1, memory: 1Gi}}}]
                """);

        Run run = check("--policy", "docs/examples/placement/policy.yaml", manifest.toString());

        assertThat(run.exit()).isEqualTo(1);
        String object = manifest + ": Deployment ml/trainer: ";
        String judged = object + "denied: placement.nodeSelector: spec.template.spec.nodeSelector: "
                + "pod node label selector conflicts with its namespace node label selector\n"
                + object + "denied: placement.nodeLabels: spec.template.spec.nodeSelector.dedicated: "
                + "node labels (spec.nodeSelector selects dedicated=web, pods here may select dedicated only as ml)\n"
                + object + "warning: placement.dedicatedNodes: spec.template.spec.tolerations[0]: "
                + "dedicated nodes (pod tolerates taint dedicated=ml:NoSchedule but does not select node label dedicated=ml)\n"
                + "1 object checked, 1 denied\n";
        // The pods it makes get the namespace's toleration and the GPU's (not its selector, which conflicts).
        assertThat(run.out()).isEqualTo(object + "after defaults: resources (container app), preStop (container app), "
                + "securityContext (container app), securityContext (pod), "
                + "placement.tolerations (dedicated=ml:NoSchedule, node.kubernetes.io/memory-pressure:NoSchedule), "
                + "placement.extendedResourceTolerations (nvidia.com/gpu)\n" + judged);
        // As written: the rules merge what the plugins would merge, so they find the same.
        assertThat(check("--no-defaults", "--policy", "docs/examples/placement/policy.yaml", manifest.toString()).out()).isEqualTo(judged);
    }

    @Test
    void checkWhenHelmReleaseViolatesThenExitOneAndOneLinePerViolation() {
        Run run = check(MANIFESTS + "noncompliant/worker.yaml");

        assertThat(run.exit()).isEqualTo(1);
        String file = "src/test/resources/manifests/noncompliant/worker.yaml: ";
        // podguard's defaults set allowPrivilegeEscalation and seccomp: judged as stored, what is left is what the pods lack.
        assertThat(run.out()).contains(file + "Deployment worker: after defaults: resources (init container migrate), "
                + "resources (container worker), readinessProbe (container worker), preStop (container worker), "
                + "securityContext (init container migrate), securityContext (container worker), securityContext (pod)\n");
        assertThat(run.out()).doesNotContain("allowPrivilegeEscalation: container \"migrate\"");
        assertThat(run.out()).contains(file + "Deployment worker: denied: runAsNonRoot: container \"migrate\": "
                + "spec.template.spec.initContainers[0].securityContext.runAsNonRoot: runAsNonRoot != true "
                + "(pod or containers \"migrate\", \"worker\" must set securityContext.runAsNonRoot=true)\n");
        // As written, the same manifest also lacks what the defaults would have set.
        assertThat(check("--no-defaults", MANIFESTS + "noncompliant/worker.yaml").out())
                .contains(file + "Deployment worker: denied: allowPrivilegeEscalation: container \"migrate\": "
                + "spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation: allowPrivilegeEscalation != false "
                + "(containers \"migrate\", \"worker\" must set securityContext.allowPrivilegeEscalation=false)\n")
                .doesNotContain("after defaults");
        assertThat(run.out()).contains(file + "CronJob worker-report: denied: hostNamespaces: "
                + "spec.jobTemplate.spec.template.spec.hostNetwork: host namespaces (hostNetwork=true)\n");
        assertThat(run.out()).contains(file + "CronJob worker-report: denied: privileged: container \"report\": "
                + "spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged: "
                + "privileged (container \"report\" must not set securityContext.privileged=true)\n");
        assertThat(run.out()).endsWith("2 objects checked, 2 denied\n");
        assertThat(run.out()).doesNotContain("Service");
    }

    @Test
    void checkWhenJsonOutputThenDocumentedShape() {
        Run run = check("-o", "json", "--policy", MANIFESTS + "baseline-policy.yaml", MANIFESTS + "noncompliant/worker.yaml");

        assertThat(run.exit()).isEqualTo(1);
        JsonNode results = Json.mapper().readTree(run.out());
        assertThat(results.size()).isEqualTo(2);
        JsonNode deployment = results.get(0);
        assertThat(deployment.propertyNames()).containsExactly("file", "kind", "namespace", "name", "allowed", "violations", "patch",
                "defaults", "exemptions");
        assertThat(deployment.get("kind").asString()).isEqualTo("Deployment");
        assertThat(deployment.get("namespace").isNull()).isTrue();
        assertThat(deployment.get("allowed").asBoolean()).isTrue();
        assertThat(deployment.get("violations").size()).isZero();
        assertThat(deployment.get("patch").isArray()).isTrue();
        JsonNode cronJob = results.get(1);
        assertThat(cronJob.get("allowed").asBoolean()).isFalse();
        assertThat(Json.mapper().writeValueAsString(cronJob.get("violations"))).isEqualTo("["
                + "{\"rule\":\"hostNamespaces\",\"path\":\"spec.jobTemplate.spec.template.spec.hostNetwork\",\"message\":\"host namespaces (hostNetwork=true)\","
                + "\"outcome\":\"deny\",\"level\":\"baseline:v1.30\"},"
                + "{\"rule\":\"privileged\",\"path\":\"spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged\","
                + "\"message\":\"privileged (container \\\"report\\\" must not set securityContext.privileged=true)\",\"outcome\":\"deny\",\"level\":\"baseline:v1.30\"}]");
    }

    @Test
    void checkWhenListKindsThenItemsJudged() {
        Run run = check("-o", "json", MANIFESTS + "lists/pods.json");

        assertThat(run.exit()).isEqualTo(1);
        JsonNode results = Json.mapper().readTree(run.out());
        assertThat(results.findValuesAsString("name")).containsExactly("ok", "root");
        assertThat(results.get(0).get("allowed").asBoolean()).isTrue();
        assertThat(results.get(0).get("namespace").asString()).isEqualTo("team-a");
        assertThat(results.get(1).get("violations").findValuesAsString("rule")).contains("runAsUser");
    }

    @Test
    void checkWhenDocumentHasNoKindThenExitTwoWithOneLine() {
        Run run = check(MANIFESTS + "bad/no-kind.yaml");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("podguard: src/test/resources/manifests/bad/no-kind.yaml: document 2 has no kind\n");
    }

    @Test
    void checkWhenInvalidYamlThenExitTwoWithOneLine() {
        Run run = check(MANIFESTS + "bad/invalid.yaml");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("podguard: src/test/resources/manifests/bad/invalid.yaml: invalid YAML: ");
        assertThat(run.err().strip()).doesNotContain("\n").doesNotContain("Exception");
    }

    @Test
    void checkWhenFileMissingThenExitTwo() {
        Run run = check(MANIFESTS + "nope.yaml");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("podguard: src/test/resources/manifests/nope.yaml: no such file or folder\n");
    }

    @Test
    void checkWhenBadOutputFormatThenExitTwo() {
        assertThat(check("-o", "sarif", MANIFESTS + "compliant").exit()).isEqualTo(2);
    }

    @Test
    void checkWhenStandardInputThenRead() {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: p}
                    spec:
                      containers: [{name: app, image: nginx, securityContext: {privileged: true}}]
                    """.getBytes(StandardCharsets.UTF_8)));
            Run run = check("--policy", MANIFESTS + "baseline-policy.yaml", "-");

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.out()).startsWith("-: Pod p: denied: privileged: container \"app\": spec.containers[0].securityContext.privileged: ");
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void checkWhenWholeFolderTreeThenEveryManifestFileFound(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(dir.resolve("a/b/pod.yml"), "{apiVersion: v1, kind: Pod, metadata: {name: yml}, spec: {containers: [{name: c}]}}");
        Files.writeString(dir.resolve("a/pod.json"), "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"json\"}, \"spec\": {\"containers\": [{\"name\": \"c\"}]}}");
        Files.writeString(dir.resolve("a/notes.txt"), "not a manifest");

        Run run = check("-o", "json", "--policy", MANIFESTS + "baseline-policy.yaml", dir.toString());

        assertThat(run.exit()).isZero();
        assertThat(Json.mapper().readTree(run.out()).findValuesAsString("name")).containsExactly("yml", "json");
    }
}
