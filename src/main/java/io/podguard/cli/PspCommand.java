package io.podguard.cli;

import io.fabric8.kubernetes.api.model.policy.v1beta1.PodSecurityPolicy;
import io.podguard.engine.psp.PspConverter;
import io.podguard.engine.psp.PspDocuments;
import io.podguard.engine.psp.PspProvider;
import io.podguard.engine.psp.PspSet;
import io.podguard.policy.Policy;
import io.podguard.policy.PolicyException;
import io.podguard.policy.PolicyLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code psp convert FILE...}. */
@Command(name = "psp", mixinStandardHelpOptions = true, description = "Work with PodSecurityPolicy objects.",
        subcommands = PspCommand.Convert.class)
public final class PspCommand implements Runnable {

    @Override
    public void run() {
        throw new IllegalArgumentException("missing command: podguard psp convert FILE...");
    }

    /**
     * Prints the PodGuardPolicy closest to the PodSecurityPolicies in the files (PSP documents, or a
     * podguard policy file holding or naming them), with each PSP's closest Pod Security Standards
     * level. Exit 0, or 2 with a one-line reason on bad input.
     */
    @Command(name = "convert", mixinStandardHelpOptions = true,
            description = "Print the PodGuardPolicy closest to the PodSecurityPolicies in the files (a complete policy: "
                    + "level, namespaces, exemptions, defaults), and each one's closest Pod Security Standards level.")
    public static final class Convert implements Callable<Integer> {

        @Parameters(paramLabel = "FILE", arity = "1..*",
                description = "YAML with PodSecurityPolicy objects (many documents, a List, or a ConfigMap holding them), "
                        + "or a podguard policy file whose podSecurityPolicies hold or name them.")
        List<Path> files = new ArrayList<>();

        PrintStream out = System.out;

        @Override
        public Integer call() {
            List<PodSecurityPolicy> all = new ArrayList<>();
            for (Path file : files) {
                all.addAll(read(file));
            }
            PspSet set = PspSet.of(all);
            String source = files.size() == 1 ? files.getFirst().getFileName().toString()
                    : String.join(", ", files.stream().map(f -> f.getFileName().toString()).toList());
            out.print(PspConverter.convert(set, source));
            return 0;
        }

        private static List<PodSecurityPolicy> read(Path file) {
            try {
                if (isPolicyFile(file)) {
                    Policy policy = PolicyLoader.load(file);
                    if (policy.podSecurityPolicies() == null || policy.podSecurityPolicies().isEmpty()) {
                        throw new IllegalArgumentException(file + " is a policy without podSecurityPolicies");
                    }
                    return policy.podSecurityPolicies().providers().stream().map(PspProvider::policy).toList();
                }
                List<PodSecurityPolicy> policies = PspDocuments.load(file);
                if (policies.isEmpty()) {
                    throw new IllegalArgumentException(file + " holds no PodSecurityPolicy");
                }
                return policies;
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("cannot read " + file + ": no such file");
            } catch (PolicyException e) {
                throw new IllegalArgumentException("policy " + file + " is invalid: " + String.join("; ", e.errors()));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
            }
        }

        /** A PodGuardPolicy document (naming or holding PSPs), rather than PSP documents alone. */
        private static boolean isPolicyFile(Path file) throws IOException {
            String text = Files.readString(file);
            return text.lines().anyMatch(l -> l.matches("^kind:\\s*[\"']?PodGuardPolicy[\"']?\\s*(#.*)?$")
                    || l.matches("^podSecurityPolicies:.*"));
        }
    }
}
