package io.podguard.cli;

import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Level;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.placement.PlacementPolicy;
import io.podguard.engine.psp.PspPolicy;
import io.podguard.engine.pss.PodSecurityLevels;
import io.podguard.engine.resources.ResourceRules;
import io.podguard.engine.rules.AdmissionPolicies;
import io.podguard.policy.Exemption;
import io.podguard.policy.Policy;
import io.podguard.policy.PolicyCompiler;
import io.podguard.policy.ResourceRulesConfig;
import io.podguard.policy.PolicyException;
import io.podguard.policy.PolicyLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code config validate FILE}. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Work with policy files.",
        subcommands = ConfigCommand.Validate.class)
public final class ConfigCommand implements Runnable {

    @Override
    public void run() {
        throw new IllegalArgumentException("missing subcommand: validate");
    }

    /** Exit 0 for a valid policy (with a short summary); 1 with every error, one per line; 2 when unreadable. */
    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Validate a policy file: exit 0 when valid, 1 with every error (one per line, with its field path), 2 when it cannot be read.")
    public static final class Validate implements Callable<Integer> {

        @Parameters(paramLabel = "FILE")
        Path file;

        PrintStream out = System.out;
        PrintStream err = System.err;

        @Override
        public Integer call() {
            Policy policy;
            List<String> notes = new ArrayList<>();
            try {
                policy = PolicyLoader.load(file, notes);
            } catch (NoSuchFileException e) {
                err.println("podguard: cannot read " + file + ": no such file");
                return 2;
            } catch (IOException e) {
                err.println("podguard: cannot read " + file + ": " + e.getMessage());
                return 2;
            } catch (PolicyException e) {
                for (String error : e.errors()) {
                    out.println(file + ": " + error);
                }
                out.println(file + ": " + e.errors().size() + (e.errors().size() == 1 ? " error" : " errors"));
                return 1;
            }
            out.println(file + ": valid: " + summary(policy));
            for (String note : notes) {
                out.println(file + ": " + note);
            }
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            for (int i = 0; i < policy.exemptions().size(); i++) {
                Exemption e = policy.exemptions().get(i);
                if (e.isExpired(today)) {
                    out.println(file + ": warning: exemptions[" + i + "] (\"" + e.reason() + "\") expired on " + e.expires()
                            + " and no longer applies");
                }
            }
            return 0;
        }

        /**
         * {@code enforce baseline:latest, audit restricted:latest, warn restricted:latest; 3
         * PodSecurityPolicies (restricted, logging, privileged) in audit mode; resource rules in
         * warn mode (min cpu, memory; max memory); defaults apply; 1 namespace override; 2 exemptions}.
         */
        static String summary(Policy policy) {
            EffectivePolicy e = PolicyCompiler.compile(policy);
            PodSecurityLevels levels = e.rule(PodSecurityLevels.class);
            ResourceRules resources = e.rule(ResourceRules.class);
            PspPolicy psp = e.rule(PspPolicy.class);
            List<String> parts = new ArrayList<>();
            List<String> modes = new ArrayList<>();
            if (levels != null) {
                level(modes, "enforce", levels.enforce());
                level(modes, "audit", levels.audit());
                level(modes, "warn", levels.warn());
            }
            parts.add((modes.isEmpty() ? "Pod Security Standards off" : String.join(", ", modes))
                    + (policy.podSecurity().readsNamespaceLabels() ? " (pod-security.kubernetes.io namespace labels read)" : ""));
            if (psp != null && policy.podSecurityPolicies() != null) {
                List<String> names = policy.podSecurityPolicies().providers().stream().map(p -> p.name()).toList();
                parts.add(count(names.size(), "PodSecurityPolicy").replace("Policys", "Policies") + " (" + String.join(", ", names) + ") in "
                        + psp.mode().id() + " mode");
            }
            if (resources != null && policy.resources() != null) {
                ResourceRulesConfig r = policy.resources();
                List<String> rules = new ArrayList<>();
                rule(rules, "min", r.min().keySet());
                rule(rules, "max", r.max().keySet());
                rule(rules, "maxLimitRequestRatio", r.maxLimitRequestRatio().keySet());
                rule(rules, "required requests", r.required().requests());
                rule(rules, "required limits", r.required().limits());
                rule(rules, "pod min", r.pod().min().keySet());
                rule(rules, "pod max", r.pod().max().keySet());
                rule(rules, "pod maxLimitRequestRatio", r.pod().maxLimitRequestRatio().keySet());
                parts.add("resource rules in " + resources.mode().id() + " mode" + (rules.isEmpty() ? "" : " (" + String.join("; ", rules) + ")"));
            }
            parts.add(policy.defaults().isEnabled() ? "defaults " + policy.defaults().mode().id() : "defaults off");
            if (!policy.rules().isEmpty()) {
                parts.add(count(policy.rules().size(), "CEL rule"));
            }
            AdmissionPolicies admissionPolicies = e.rule(AdmissionPolicies.class);
            if (admissionPolicies != null) {
                parts.add(count(admissionPolicies.bindings().size(), "ValidatingAdmissionPolicy binding"));
            }
            PlacementPolicy placementPolicy = e.rule(PlacementPolicy.class);
            String placement = placementPolicy == null ? "" : placement(placementPolicy);
            if (!placement.isEmpty()) {
                parts.add("placement " + placement + (policy.usesNamespaceAnnotations() ? " (namespace annotations honoured)" : ""));
            }
            parts.add(count(policy.namespaces().size(), "namespace override"));
            parts.add(count(policy.exemptions().size(), "exemption"));
            return String.join("; ", parts);
        }

        /** A mode at the privileged level judges nothing: not worth naming. */
        private static void level(List<String> modes, String mode, @org.jspecify.annotations.Nullable LevelVersion lv) {
            if (lv != null && lv.level() != Level.PRIVILEGED) {
                modes.add(mode + " " + lv);
            }
        }

        private static void rule(List<String> rules, String name, java.util.Collection<String> resources) {
            if (resources != null && !resources.isEmpty()) {
                rules.add(name + " " + String.join(", ", new java.util.TreeSet<>(resources)));
            }
        }

        /** {@code nodeSelector enforce, dedicatedNodes warn}: the parts of placement that are on, with their modes. */
        private static String placement(PlacementPolicy p) {
            List<String> on = new ArrayList<>();
            if (p.nodeSelector() != null) {
                on.add("nodeSelector " + p.nodeSelector().mode().id());
            }
            if (p.tolerations() != null) {
                on.add("tolerations " + p.tolerations().mode().id());
            }
            if (p.extendedResourceTolerations() != null) {
                on.add("extendedResourceTolerations " + p.extendedResourceTolerations().mode().id());
            }
            if (p.nodeName() != null) {
                on.add("nodeName " + p.nodeName().id());
            }
            if (p.nodeLabels() != null) {
                on.add("nodeLabels " + p.nodeLabels().mode().id());
            }
            if (p.dedicatedNodes() != null) {
                on.add("dedicatedNodes " + p.dedicatedNodes().mode().id());
            }
            return String.join(", ", on);
        }

        private static String count(int n, String what) {
            return n + " " + what + (n == 1 ? "" : "s");
        }
    }
}
