package io.podguard.cli;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.podguard.audit.AuditJson;
import io.podguard.audit.AuditReport;
import io.podguard.audit.AuditText;
import io.podguard.audit.ClusterAudit;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.engine.Stage;
import io.podguard.kube.KubeconfigException;
import io.podguard.kube.KubernetesClients;
import io.podguard.kube.KubernetesClients.Target;
import io.podguard.kube.KubernetesClients.Timeouts;
import io.podguard.policy.ConfiguredPolicyResolver;
import io.podguard.policy.NamespaceLabels;
import io.podguard.policy.Policy;
import io.podguard.policy.PolicyResolver;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The background audit, once, from a workstation: reads the cluster's pods with the
 * kubeconfig's credentials, judges them as the webhook would if they were created now (after
 * podguard's defaults, unless {@code --no-defaults}), writes nothing to the cluster. Exit 0 when
 * enforcement would deny no pod, 1 when it would deny some, 2 on error.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Judge the pods running in a cluster against a policy: which would enforce mode deny? Read-only.")
public final class AuditCommand implements Callable<Integer> {

    @Mixin
    PolicyOption policy;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then a pod's service account).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "Kubeconfig context (default: the current one); one the kubeconfig does not define is refused.")
    String context;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE", description = "Only this namespace (default: all).")
    String namespace;

    @Option(names = "--exclude-namespace", paramLabel = "NAMESPACE",
            description = "Leave out a namespace the webhook does not judge (repeatable; default: kube-system).")
    List<String> excluded = new ArrayList<>(List.of("kube-system"));

    @Option(names = {"-o", "--output"}, paramLabel = "text|json", description = "Output format (default: text).")
    String output = "text";

    @Option(names = "--no-defaults",
            description = "Judge the pods as they run; by default they are judged as the webhook would judge them on create, after podguard's defaults.")
    boolean noDefaults;

    @Option(names = "--page-size", description = "Pods per list request (default: ${DEFAULT-VALUE}).")
    int pageSize = ClusterAudit.DEFAULT_PAGE_SIZE;

    PrintStream out = System.out;
    PrintStream err = System.err;
    /** Where kubectl's rules look ($KUBECONFIG, the home folder, a pod's service account). */
    KubernetesClients.Environment environment = KubernetesClients.Environment.current();

    @Override
    public Integer call() {
        if (!output.equals("text") && !output.equals("json")) {
            err.println("podguard: -o must be text or json, not \"" + output + "\"");
            return 2;
        }
        if (pageSize < 1 || pageSize > ClusterAudit.MAX_PAGE_SIZE) {
            err.println("podguard: --page-size must be between 1 and " + ClusterAudit.MAX_PAGE_SIZE);
            return 2;
        }
        String source = policy.file == null ? "embedded default" : policy.file.toString();
        Policy loaded;
        try {
            loaded = policy.load();
        } catch (IllegalArgumentException e) {
            err.println("podguard: " + e.getMessage());
            return 2;
        }
        Target target;
        try {
            target = KubernetesClients.resolve(kubeconfig, context, environment);
        } catch (KubeconfigException e) {
            err.println("podguard: " + e.getMessage());
            return 2;
        }
        AuditReport report;
        try (KubernetesClient client = KubernetesClients.connect(target, Timeouts.COMMAND)) {
            PolicyResolver resolver = loaded.usesNamespaces()
                    ? new ConfiguredPolicyResolver(loaded, namespaces(client, target), Clock.systemUTC(), PolicyResolver.ExpiryListener.NONE)
                    : PolicyResolver.fixed(loaded);
            ClusterAudit.Scope scope = new ClusterAudit.Scope(namespace, namespace != null ? java.util.Set.of() : new HashSet<>(excluded));
            report = new ClusterAudit(client, Engine.standard(), pageSize, Clock.systemUTC()).run(resolver, source, scope,
                    noDefaults ? Stage.AS_WRITTEN : Stage.CREATE);
        } catch (KubernetesClientException e) {
            err.println("podguard: cannot list pods: " + KubernetesClients.describe(e, target.server(), Timeouts.COMMAND));
            return 2;
        }
        if (output.equals("json")) {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(AuditJson.render(report, true)));
        } else {
            out.print(AuditText.render(report));
        }
        out.flush();
        return report.wouldBeDenied() == 0 ? 0 : 1;
    }

    /**
     * The labels and annotations of every namespace, read once, for a policy that reads them (PSA's
     * labels, selectors, {@code podguard.io/mode}, placement's annotations), as the server's cache
     * gives them to the webhook. When they cannot be listed, said on standard error; then no label is known.
     */
    private NamespaceLabels namespaces(KubernetesClient client, Target target) {
        Map<String, Namespace> byName = new HashMap<>();
        try {
            for (Namespace ns : client.namespaces().list().getItems()) {
                byName.put(ns.getMetadata().getName(), ns);
            }
        } catch (KubernetesClientException e) {
            err.println("podguard: warning: cannot list namespaces (" + KubernetesClients.describe(e, target.server(), Timeouts.COMMAND)
                    + "): judging as if no namespace had labels or annotations");
        }
        return new NamespaceLabels() {
            @Override
            public @Nullable Map<String, String> labels(String namespace) {
                Namespace ns = byName.get(namespace);
                return ns == null ? null : ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels();
            }

            @Override
            public @Nullable Map<String, String> annotations(String namespace) {
                Namespace ns = byName.get(namespace);
                return ns == null ? null : ns.getMetadata().getAnnotations() == null ? Map.of() : ns.getMetadata().getAnnotations();
            }
        };
    }
}
