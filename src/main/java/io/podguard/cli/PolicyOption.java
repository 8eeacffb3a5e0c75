package io.podguard.cli;

import io.podguard.policy.Policy;
import io.podguard.policy.PolicyException;
import io.podguard.policy.PolicyLoader;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --policy FILE}, shared by the offline commands. */
public final class PolicyOption {

    @Option(names = "--policy", paramLabel = "FILE", description = "Policy file (default: the embedded default policy).")
    Path file;

    /** @throws IllegalArgumentException with a one-line reason when the file cannot be used */
    public Policy load() {
        if (file == null) {
            return PolicyLoader.embeddedDefault();
        }
        try {
            return PolicyLoader.load(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read policy " + file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read policy " + file + ": " + e.getMessage());
        } catch (PolicyException e) {
            throw new IllegalArgumentException("policy " + file + " is invalid:\n  " + String.join("\n  ", e.errors()));
        }
    }
}
