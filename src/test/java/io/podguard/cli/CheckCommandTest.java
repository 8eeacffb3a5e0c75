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
                2 objects judged: 0 denied; 1 object of other kinds (Service)
                """);
        assertThat(check("--no-defaults", MANIFESTS + "compliant").out()).isEqualTo("""
                src/test/resources/manifests/compliant/web.yaml: Deployment shop/web: allowed
                src/test/resources/manifests/compliant/web.yaml: CronJob shop/web-cleanup: allowed
                2 objects judged: 0 denied; 1 object of other kinds (Service)
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
                + "1 object judged: 1 denied\n";
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
        Run run = check("--policy", MANIFESTS + "restricted-policy.yaml", MANIFESTS + "noncompliant/worker.yaml");

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
        assertThat(check("--policy", MANIFESTS + "restricted-policy.yaml", "--no-defaults", MANIFESTS + "noncompliant/worker.yaml").out())
                .contains(file + "Deployment worker: denied: allowPrivilegeEscalation: container \"migrate\": "
                + "spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation: allowPrivilegeEscalation != false "
                + "(containers \"migrate\", \"worker\" must set securityContext.allowPrivilegeEscalation=false)\n")
                .doesNotContain("after defaults");
        assertThat(run.out()).contains(file + "CronJob worker-report: denied: hostNamespaces: "
                + "spec.jobTemplate.spec.template.spec.hostNetwork: host namespaces (hostNetwork=true)\n");
        assertThat(run.out()).contains(file + "CronJob worker-report: denied: privileged: container \"report\": "
                + "spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged: "
                + "privileged (container \"report\" must not set securityContext.privileged=true)\n");
        assertThat(run.out()).endsWith("2 objects judged: 2 denied; 1 object of other kinds (Service)\n");
        assertThat(run.out()).doesNotContain(": Service ");
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
                + "\"outcome\":\"deny\",\"level\":\"baseline:v1.30\",\"modes\":[\"enforce\"]},"
                + "{\"rule\":\"privileged\",\"path\":\"spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged\","
                + "\"message\":\"privileged (container \\\"report\\\" must not set securityContext.privileged=true)\","
                + "\"outcome\":\"deny\",\"level\":\"baseline:v1.30\",\"modes\":[\"enforce\"]}]");
        assertThat(cronJob.get("exemptions").size()).isZero();
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
    void checkWhenADocumentAmongManifestsHasNoKindThenAnErrorAndTheRestJudged() {
        Run run = check(MANIFESTS + "bad/no-kind.yaml");

        assertThat(run.exit()).isZero();
        assertThat(run.err()).isEqualTo("podguard: error: src/test/resources/manifests/bad/no-kind.yaml: document 2 has no kind\n");
        assertThat(run.out()).endsWith("1 object judged: 0 denied; 1 error\n");
        assertThat(check("--strict", MANIFESTS + "bad/no-kind.yaml").exit()).isEqualTo(2);
    }

    @Test
    void checkWhenInvalidYamlThenOneLineWithLineAndColumnAndExitTwoAsNothingWasJudged() {
        Run run = check(MANIFESTS + "bad/invalid.yaml");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("podguard: error: src/test/resources/manifests/bad/invalid.yaml: invalid YAML (line 6, column 5): ");
        assertThat(run.err().strip()).doesNotContain("\n").doesNotContain("Exception");
        assertThat(run.out()).isEqualTo("nothing to judge: no Pod or workload in 1 file; 1 error\n");
    }

    @Test
    void checkWhenFileMissingThenExitTwo() {
        Run run = check(MANIFESTS + "nope.yaml");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("podguard: error: src/test/resources/manifests/nope.yaml: no such file or folder\n");
    }

    @Test
    void checkWhenAnInvalidFileBesideValidOnesThenEveryErrorReportedAndTheOthersJudged() {
        Run run = check("--policy", MANIFESTS + "baseline-policy.yaml", MANIFESTS + "bad/invalid.yaml", MANIFESTS + "nope.yaml",
                MANIFESTS + "noncompliant/worker.yaml");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err().lines()).hasSize(2).allMatch(l -> l.startsWith("podguard: error: "));
        assertThat(run.out()).endsWith("2 objects judged: 1 denied; 1 object of other kinds (Service); 2 errors\n");
    }

    @Test
    void checkWhenBadOutputFormatThenExitTwo() {
        assertThat(check("-o", "sarif", MANIFESTS + "compliant").exit()).isEqualTo(2);
    }

    /** kubectl refuses a document without apiVersion ("apiVersion not set"): never judged allowed. */
    @Test
    void checkWhenADocumentHasKindButNoApiVersionThenAnErrorAndExitTwoAsNothingWasJudged(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pod.yaml");
        Files.writeString(file, """
                kind: Pod
                metadata: {name: p}
                spec:
                  containers: [{name: app, image: nginx, securityContext: {privileged: true}}]
                """);

        Run run = check(file.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("podguard: error: " + file + ": document 1: apiVersion not set\n");
        assertThat(run.out()).doesNotContain("allowed");
    }

    @Test
    void checkWhenOneOfTwoDocumentsHasNoApiVersionThenAnErrorAndTheOtherJudged(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pods.yaml");
        Files.writeString(file, """
                apiVersion: v1
                kind: Pod
                metadata: {name: fine}
                spec: {containers: [{name: a, image: nginx}]}
                ---
                kind: Pod
                apiVersion: ""
                metadata: {name: blank}
                spec: {containers: [{name: a, image: nginx}]}
                """);

        Run run = check(file.toString());

        assertThat(run.exit()).isZero();
        assertThat(run.err()).isEqualTo("podguard: error: " + file + ": document 2: apiVersion not set\n");
        assertThat(run.out()).endsWith("1 object judged: 0 denied; 1 error\n");
        assertThat(check("--strict", file.toString()).exit()).isEqualTo(2);
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

    /** A chart and a kustomize base side by side, as real repositories are laid out. */
    private static Path repository(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("chart/templates"));
        Files.createDirectories(dir.resolve("base"));
        Files.createDirectories(dir.resolve(".github/workflows"));
        Files.writeString(dir.resolve("chart/Chart.yaml"), "apiVersion: v2\nname: web\nversion: 1.0.0\n");
        Files.writeString(dir.resolve("chart/values.yaml"), "replicaCount: 2\nimage: {repository: nginx}\n");
        Files.writeString(dir.resolve("chart/templates/deployment.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: {{ include "web.fullname" . }}
                spec:
                  replicas: {{ .Values.replicaCount }}
                  template:
                    spec:
                      containers:
                      {{- toYaml .Values.containers | nindent 8 }}
                """);
        Files.writeString(dir.resolve(".github/workflows/ci.yml"), "on: [push]\njobs: {test: {runs-on: ubuntu-latest}}\n");
        Files.writeString(dir.resolve("base/kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [web.yaml]\n");
        Files.writeString(dir.resolve("base/replicas-patch.yaml"), "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n");
        Files.writeString(dir.resolve("base/web.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers:
                      - name: web
                        image: nginx:1.29
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {ports: [{port: 80}]}
                """);
        return dir;
    }

    @Test
    void checkWhenARepositoryMixesManifestsChartsAndPatchesThenOthersSkippedWithAHelmHint(@TempDir Path dir) throws Exception {
        Path repo = repository(dir);

        Run run = check("--policy", MANIFESTS + "baseline-policy.yaml", repo.toString());

        assertThat(run.exit()).isZero();
        assertThat(run.out()).isEqualTo(repo + "/base/web.yaml: Deployment web: allowed\n"
                + "1 object judged: 0 denied; 2 objects of other kinds (Kustomization, Service); 1 incomplete object skipped; "
                + "4 files skipped (not Kubernetes manifests; -v lists them)\n");
        assertThat(run.err()).isEqualTo("podguard: skipped: " + repo + "/base/replicas-patch.yaml: Deployment web: no pod template "
                + "(a kustomize patch? judge the output of kustomize build)\n"
                + "podguard: hint: 1 file is a Helm template, judged once rendered: helm template RELEASE CHART | podguard check -\n");
    }

    @Test
    void checkWhenVerboseThenEverySkippedFileListedWithItsReason(@TempDir Path dir) throws Exception {
        Path repo = repository(dir);

        Run run = check("-v", repo.toString());

        assertThat(run.err()).contains(
                "podguard: skipped: " + repo + "/.github/workflows/ci.yml: not a Kubernetes manifest (no apiVersion and kind)\n",
                "podguard: skipped: " + repo + "/chart/Chart.yaml: not a Kubernetes manifest (no apiVersion and kind)\n",
                "podguard: skipped: " + repo + "/chart/templates/deployment.yaml: a Helm template\n",
                "podguard: skipped: " + repo + "/chart/values.yaml: not a Kubernetes manifest (no apiVersion and kind)\n");
        assertThat(check("--strict", repo.toString()).exit()).isEqualTo(2);
    }

    @Test
    void checkWhenNothingToJudgeThenTheSummarySaysSoAndFailOnEmptyExitsTwo(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("values.yaml"), "replicaCount: 2\n");
        Files.writeString(dir.resolve("svc.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n");

        Run run = check(dir.toString());
        Run failing = check("--fail-on-empty", dir.toString());

        assertThat(run.exit()).isZero();
        assertThat(run.out()).isEqualTo("nothing to judge: no Pod or workload in 2 files; 1 object of other kinds (Service); "
                + "1 file skipped (not Kubernetes manifests; -v lists it)\n");
        assertThat(failing.exit()).isEqualTo(2);
    }

    @Test
    void checkWhenNamespaceGivenThenObjectsWithoutOneAreJudgedThereWithItsOverridesAndExemptions(@TempDir Path dir) throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), """
                mode: enforce
                podSecurity: {level: baseline}
                namespaces:
                  - names: [sandbox]
                    mode: warn
                exemptions:
                  - reason: the node agent needs the host network
                    namespaces: [monitoring]
                    checks: [hostNamespaces]
                """);
        Path pod = Files.writeString(dir.resolve("pod.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: agent}
                spec:
                  hostNetwork: true
                  containers: [{name: agent, image: agent:1}]
                """);

        Run unset = check("--policy", policy.toString(), pod.toString());
        Run sandbox = check("--policy", policy.toString(), "--namespace", "sandbox", pod.toString());
        Run monitoring = check("--policy", policy.toString(), "-n", "monitoring", "-o", "json", pod.toString());

        assertThat(unset.exit()).isEqualTo(1);
        assertThat(sandbox.exit()).isZero();
        // Judged after podguard's defaults, which say what they assumed first.
        assertThat(sandbox.out()).startsWith(pod + ": Pod sandbox/agent: after defaults: ")
                .contains("\n" + pod + ": Pod sandbox/agent: warning: hostNamespaces: ");
        assertThat(monitoring.exit()).isZero();
        JsonNode result = Json.mapper().readTree(monitoring.out()).get(0);
        assertThat(result.get("namespace").asString()).isEqualTo("monitoring");
        assertThat(result.get("violations").size()).isZero();
        assertThat(result.get("exemptions").toString()).isEqualTo("[\"the node agent needs the host network\"]");
        assertThat(check("--policy", policy.toString(), "-n", "monitoring", pod.toString()).out())
                .contains("\n" + pod + ": Pod monitoring/agent: allowed (exempted: the node agent needs the host network)\n");
    }

    @Test
    void checkWhenDuplicateKeysOrUnknownFieldsThenWarnedAsKubectlValidateStrict(@TempDir Path dir) throws Exception {
        Path pod = Files.writeString(dir.resolve("pod.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: web}
                spec:
                  containers:
                  - name: app
                    image: nginx
                    image: nginx:1.29
                    securityContxt: {privileged: true}
                  dnsPolicy: Default
                  hostNetwok: true
                """);

        Run run = check(pod.toString());

        assertThat(run.exit()).isZero();
        assertThat(run.err()).isEqualTo(
                "podguard: warning: " + pod + ": document 1: duplicate key \"spec.containers[0].image\" (line 8): the last one counts\n"
                        + "podguard: warning: " + pod + ": Pod web: unknown field \"spec.containers[0].securityContxt\"\n"
                        + "podguard: warning: " + pod + ": Pod web: unknown field \"spec.hostNetwok\"\n");
        assertThat(run.out()).endsWith("1 object judged: 0 denied; 3 warnings\n");
        assertThat(check("--strict", pod.toString()).exit()).isEqualTo(2);
    }

    @Test
    void checkWhenYamlAnchorsAliasesAndMergeKeysThenExpandedAsKubectlExpandsThem(@TempDir Path dir) throws Exception {
        // kubectl sends container b as {name: b, image: nginx, securityContext: {privileged: true}}.
        Path pod = Files.writeString(dir.resolve("pod.yaml"), """
                x-privileged: &sc {privileged: true}
                apiVersion: v1
                kind: Pod
                metadata: {name: web}
                spec:
                  containers:
                  - &app {name: a, image: nginx, securityContext: *sc}
                  - <<: *app
                    name: b
                """);

        Run run = check("--no-defaults", pod.toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("podguard: warning: " + pod + ": Pod web: unknown field \"x-privileged\"\n");
        assertThat(run.out()).contains(": Pod web: denied: privileged: container \"a\": spec.containers[0].securityContext.privileged: "
                + "privileged (containers \"a\", \"b\" must not set securityContext.privileged=true)\n");
    }

    @Test
    void checkWhenAnAliasBombThenOneLineErrorNotAnExpansion(@TempDir Path dir) throws Exception {
        // Ten levels of ten aliases each: 10^10 strings if expanded.
        StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 10; i++) {
            yaml.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                yaml.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            yaml.append("]\n");
        }
        yaml.append("apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {bomb: *a9}}\nspec: {containers: [{name: a, image: i}]}\n");
        Path pod = Files.writeString(dir.resolve("pod.yaml"), yaml);

        Run run = check(pod.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("podguard: error: " + pod + ": invalid YAML").doesNotContain("\n\t").hasLineCount(1);
    }

    @Test
    void checkWhenAJsonManifestGivesAKeyTwiceThenWarnedAsInYaml(@TempDir Path dir) throws Exception {
        Path pod = Files.writeString(dir.resolve("pod.json"), """
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
                 "spec": {"containers": [{"name": "app", "image": "nginx",
                   "securityContext": {"privileged": true, "privileged": false}}]}}
                """);

        Run run = check("--no-defaults", pod.toString());

        assertThat(run.exit()).isZero();
        assertThat(run.err()).isEqualTo("podguard: warning: " + pod
                + ": document 1: duplicate key \"spec.containers[0].securityContext.privileged\" (line 3): the last one counts\n");
        assertThat(check("--strict", "--no-defaults", pod.toString()).exit()).isEqualTo(2);
    }

    @Test
    void checkWhenManyDuplicatesThenBoundedWorkAndEveryOneReported(@TempDir Path dir) throws Exception {
        StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n");
        for (int i = 0; i < 2_000; i++) {
            yaml.append("    a: \"").append(i).append("\"\n");
        }
        yaml.append("spec: {containers: [{name: c, image: i}]}\n");
        Path pod = Files.writeString(dir.resolve("pod.yaml"), yaml);

        Run run = check(pod.toString());

        assertThat(run.exit()).isZero();
        assertThat(run.err().lines().filter(l -> l.contains("duplicate key \"metadata.labels.a\""))).hasSize(1_999);
    }

    @Test
    void checkWhenJsonOutputThenValidAgainstThePublishedSchema(@TempDir Path dir) throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), """
                mode: enforce
                podSecurity: {enforce: {level: baseline}, warn: {level: restricted}, audit: {level: restricted}}
                resources: {mode: warn, required: {limits: [cpu]}}
                exemptions: [{reason: legacy, namespaces: [legacy], checks: [runAsNonRoot]}]
                """);

        Run run = check("-o", "json", "--policy", policy.toString(), "-n", "legacy", MANIFESTS + "noncompliant/worker.yaml",
                MANIFESTS + "lists/pods.json", MANIFESTS + "compliant");

        com.networknt.schema.Schema schema = com.networknt.schema.SchemaRegistry
                .withDefaultDialect(com.networknt.schema.SpecificationVersion.DRAFT_2020_12)
                .getSchema(Files.readString(Path.of("docs/check-output.schema.json")), com.networknt.schema.InputFormat.JSON);
        JsonNode output = Json.mapper().readTree(run.out());
        assertThat(output.size()).isEqualTo(6);
        assertThat(schema.validate(output)).isEmpty();
        assertThat(output.findValuesAsString("outcome")).contains("deny", "warn");
        assertThat(output.findValues("modes").stream().map(JsonNode::toString)).contains("[\"warn\",\"audit\"]");
    }
}
