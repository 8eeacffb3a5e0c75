package io.podguard.cli;

import io.podguard.policy.PolicyException;
import io.podguard.policy.PolicyLoader;
import java.io.IOException;
import java.nio.file.Path;
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

    /** Exit 0 for a valid policy; else exit 1 with every error, each naming its field path. */
    @Command(name = "validate", mixinStandardHelpOptions = true, description = "Validate a policy file.")
    public static final class Validate implements Callable<Integer> {

        @Parameters(paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() throws IOException {
            try {
                PolicyLoader.load(file);
                System.out.println(file + ": valid");
                return 0;
            } catch (PolicyException e) {
                System.out.println(file + ": " + e.getMessage());
                return 1;
            }
        }
    }
}
