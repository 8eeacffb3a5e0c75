package io.podguard.e2e;

import io.podguard.testing.GoPrograms;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.node.ArrayNode;

/**
 * kube-apiserver's own code run over a corpus of cases, as the differential tests compare podguard
 * with it: {@code placement-plugins} (PodNodeSelector, PodTolerationRestriction,
 * ExtendedResourceToleration) and {@code limitranger} (LimitRanger), programs in
 * {@code src/test/cluster/cmd} built by {@code build.sh} from the Kubernetes version the e2e tier
 * pins (see each one's doc comment for its format). When one cannot be built or run the test fails
 * with the reason: this tier never skips.
 */
final class UpstreamPrograms {

    private static boolean built;

    private UpstreamPrograms() {
    }

    /** {@code program}'s answer for each case of {@code cases}, in order. */
    static ArrayNode run(String program, ArrayNode cases) {
        build();
        return GoPrograms.answers(Cluster.REPO.resolve("target/e2e-bin/" + program), cases);
    }

    /** {@code build.sh}, once per JVM: a no-op when the binaries are up to date. */
    private static synchronized void build() {
        if (built) {
            return;
        }
        try {
            Path log = Files.createTempFile("upstream-build", ".log");
            Process build = new ProcessBuilder(Cluster.REPO.resolve("src/test/cluster/build.sh").toString())
                    .directory(Cluster.REPO.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!build.waitFor(20, TimeUnit.MINUTES) || build.exitValue() != 0) {
                build.destroyForcibly();
                throw new IllegalStateException("src/test/cluster/build.sh failed: the e2e tier needs Go 1.26 on PATH\n" + Cluster.tail(log));
            }
            Files.deleteIfExists(log);
            built = true;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run build.sh: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
