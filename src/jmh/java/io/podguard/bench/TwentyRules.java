package io.podguard.bench;

import io.podguard.policy.PolicyLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The policy of the CEL benchmarks: the embedded default, then the cookbook's ten rules twice
 * (the second time with other ids). bench/lib/twenty-rules.py writes the same policy for the
 * benchmarks over HTTPS.
 */
public final class TwentyRules {

    private TwentyRules() {
    }

    /** The policy's YAML, read from the working directory (the project's, as bench/jmh.sh runs). */
    public static String policy() throws IOException {
        String defaults;
        try (InputStream in = PolicyLoader.class.getResourceAsStream(PolicyLoader.EMBEDDED_DEFAULT)) {
            defaults = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String cookbook = Files.readString(Path.of("docs/examples/rules-cookbook.yaml"));
        String ten = cookbook.substring(cookbook.indexOf("rules:\n") + "rules:\n".length());
        return defaults + "\nrules:\n" + ten + ten.replace("- id: ", "- id: again-");
    }
}
