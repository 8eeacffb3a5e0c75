package io.podguard.testing;

import java.nio.file.Path;
import tools.jackson.databind.node.ArrayNode;

/**
 * Kubernetes v1.24's PodSecurityPolicy admission plugin, run: {@code src/test/cluster/psp-oracle}
 * (its own Go module pinning k8s.io/kubernetes v1.24.17, the last release with PSP), built by
 * build.sh like the other Go binaries (cached). It reads a JSON array of cases and answers one
 * object per case (its doc comment gives both formats). Fails, never skips, when it cannot be
 * built or run.
 */
public final class PspOracle {

    private PspOracle() {
    }

    /** Builds (or finds up to date) {@code target/e2e-bin/psp-oracle} through build.sh. */
    public static Path binary() {
        return GoPrograms.binary("psp-oracle", 15);
    }

    /** The plugin's answer to each case, in order: one process for the whole batch. */
    public static ArrayNode answers(ArrayNode cases) {
        return GoPrograms.answers(binary(), cases);
    }
}
