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
                src/test/resources/manifests/compliant/web.yaml: Deployment shop/web: allowed
                src/test/resources/manifests/compliant/web.yaml: CronJob shop/web-cleanup: allowed
                2 objects checked, 0 denied
                """);
    }

    @Test
    void checkWhenHelmReleaseViolatesThenExitOneAndOneLinePerViolation() {
        Run run = check("--policy", MANIFESTS + "restricted-policy.yaml", MANIFESTS + "noncompliant/worker.yaml");

        assertThat(run.exit()).isEqualTo(1);
        String file = "src/test/resources/manifests/noncompliant/worker.yaml: ";
        assertThat(run.out()).contains(file + "Deployment worker: denied: allowPrivilegeEscalation: container \"migrate\": "
                + "spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation: allowPrivilegeEscalation != false "
                + "(containers \"migrate\", \"worker\" must set securityContext.allowPrivilegeEscalation=false)\n");
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
        assertThat(deployment.propertyNames()).containsExactly("file", "kind", "namespace", "name", "allowed", "violations", "patch");
        assertThat(deployment.get("kind").asString()).isEqualTo("Deployment");
        assertThat(deployment.get("namespace").isNull()).isTrue();
        assertThat(deployment.get("allowed").asBoolean()).isTrue();
        assertThat(deployment.get("violations").size()).isZero();
        assertThat(deployment.get("patch").isArray()).isTrue();
        JsonNode cronJob = results.get(1);
        assertThat(cronJob.get("allowed").asBoolean()).isFalse();
        assertThat(Json.mapper().writeValueAsString(cronJob.get("violations"))).isEqualTo("["
                + "{\"rule\":\"hostNamespaces\",\"path\":\"spec.jobTemplate.spec.template.spec.hostNetwork\",\"message\":\"host namespaces (hostNetwork=true)\"},"
                + "{\"rule\":\"privileged\",\"path\":\"spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged\","
                + "\"message\":\"privileged (container \\\"report\\\" must not set securityContext.privileged=true)\"}]");
    }

    @Test
    void checkWhenListKindsThenItemsJudged() {
        Run run = check("-o", "json", "--policy", MANIFESTS + "restricted-policy.yaml", MANIFESTS + "lists/pods.json");

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
