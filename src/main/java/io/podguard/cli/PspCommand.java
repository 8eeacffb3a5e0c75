package io.podguard.cli;

import io.podguard.engine.psp.PspConverter;
import io.podguard.engine.psp.PspDocuments;
import io.podguard.engine.psp.PspSet;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code psp convert FILE}. */
@Command(name = "psp", mixinStandardHelpOptions = true, description = "Work with PodSecurityPolicy objects.",
        subcommands = PspCommand.Convert.class)
public final class PspCommand implements Runnable {

    @Override
    public void run() {
        throw new IllegalArgumentException("missing subcommand: convert");
    }

    /**
     * Prints the PodGuardPolicy closest to the PodSecurityPolicies in FILE, with each PSP's
     * closest Pod Security Standards level. Exit 0, or 2 with a one-line reason on bad input.
     */
    @Command(name = "convert", mixinStandardHelpOptions = true,
            description = "Print the PodGuardPolicy closest to the PodSecurityPolicies in FILE, and each one's closest Pod Security Standards level.")
    public static final class Convert implements Callable<Integer> {

        @Parameters(paramLabel = "FILE", description = "YAML with PodSecurityPolicy objects (many documents, a List, or a ConfigMap holding them).")
        Path file;

        PrintStream out = System.out;

        @Override
        public Integer call() {
            PspSet set;
            try {
                set = PspSet.of(PspDocuments.load(file));
            } catch (java.nio.file.NoSuchFileException e) {
                throw new IllegalArgumentException("cannot read " + file + ": no such file");
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
            }
            if (set.isEmpty()) {
                throw new IllegalArgumentException(file + " holds no PodSecurityPolicy");
            }
            out.print(PspConverter.convert(set, file.getFileName().toString()));
            return 0;
        }
    }
}
