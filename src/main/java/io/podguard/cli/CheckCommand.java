package io.podguard.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Evaluates manifests offline. Exit 0 when all are allowed, 1 when any is denied, 2 on bad input. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Evaluate manifests (Pods and workloads) offline against a policy.")
public final class CheckCommand implements Callable<Integer> {

    @Mixin
    PolicyOption policy;

    @Option(names = {"-o", "--output"}, paramLabel = "text|json", description = "Output format (default: text).")
    String output = "text";

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Files, directories, or - for standard input.")
    List<Path> paths = new ArrayList<>();

    @Override
    public Integer call() {
        throw new UnsupportedOperationException("check is not implemented yet");
    }
}
