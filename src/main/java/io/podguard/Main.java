package io.podguard;

import io.podguard.cli.AuditCommand;
import io.podguard.cli.CertsCommand;
import io.podguard.cli.CheckCommand;
import io.podguard.cli.ConfigCommand;
import io.podguard.cli.PspCommand;
import io.podguard.cli.ReviewCommand;
import io.podguard.cli.ServeCommand;
import io.podguard.engine.Json;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code podguard [serve|review|check|audit|certs|config|psp|help|version] …}; with no command,
 * {@code serve}. Every error is one line on standard error, {@code podguard: …}, and exit 2.
 */
@Command(name = "podguard",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Kubernetes admission webhook for Pods: Pod Security Standards, PodSecurityPolicy and defaults.",
        subcommands = {ServeCommand.class, ReviewCommand.class, CheckCommand.class, AuditCommand.class, CertsCommand.class,
                ConfigCommand.class, PspCommand.class, HelpCommand.class, Main.VersionCommand.class})
public final class Main implements Runnable {

    /** Commands that read no manifest, policy or review: they need no JSON or YAML mapper. */
    private static final Set<String> MAPPER_FREE_COMMANDS = Set.of("help", "version", "certs", "-h", "--help", "-V", "--version");

    public static void main(String[] args) {
        if (args.length == 0 || args[0].startsWith("--") && !isTopLevelOption(args[0])) {
            // `java -jar podguard.jar [--spring.option=…]` serves.
            String[] serve = new String[args.length + 1];
            serve[0] = "serve";
            System.arraycopy(args, 0, serve, 1, args.length);
            args = serve;
        }
        Thread mappers = buildMappersAside(args[0]);
        CommandLine cli = commandLine();
        joinQuietly(mappers);
        if (args[0].equals("audit")) {
            io.podguard.cli.CommandLogging.oneLineWarnings(System.err); // fabric8's warnings, one line each
        }
        int code = cli.execute(args);
        if (code != 0 || !ServeCommand.isServing()) {
            System.exit(code);
        }
    }

    /**
     * Builds podguard's JSON and YAML mappers (Jackson with fabric8's model modules and the pod
     * readers, {@link Json}) on a thread of their own while picocli builds the command line, for
     * every command that reads manifests, policies or reviews. The two take about as long as each
     * other, and neither can be cut much: picocli ships Java 5 class files, which the Java AOT
     * cache does not hold, and the mappers' readers are built once, ahead of the first review.
     * The command starts once both are done, so that nothing else runs beside the mappers' build.
     */
    private static @Nullable Thread buildMappersAside(String command) {
        if (MAPPER_FREE_COMMANDS.contains(command)) {
            return null;
        }
        return Thread.ofPlatform().daemon().name("podguard-mappers").start(Json::mapper);
    }

    private static void joinQuietly(@Nullable Thread thread) {
        if (thread == null) {
            return;
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("podguard: " + oneLine(e));
            commandLine.getErr().flush();
            return 2;
        });
        cli.setParameterExceptionHandler(Main::badArguments);
        return cli;
    }

    /** Unknown commands get the nearest one; every other mistake its one-line reason and where help is. */
    private static int badArguments(ParameterException e, String[] args) {
        CommandLine where = e.getCommandLine();
        String help = where.getCommandSpec().qualifiedName();
        String message = e.getMessage();
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String first = unmatched.getUnmatched().getFirst();
            boolean command = !where.getSubcommands().isEmpty() && !first.startsWith("-");
            List<String> suggestions = unmatched.getSuggestions();
            if (command) {
                message = "unknown command \"" + first + "\"" + (suggestions.isEmpty() ? "" : " (did you mean " + suggestions.getFirst() + "?)");
            } else {
                message = "unknown " + (first.startsWith("-") ? "option" : "argument") + " \"" + first + "\""
                        + (suggestions.isEmpty() ? "" : " (did you mean " + suggestions.getFirst() + "?)");
            }
        }
        where.getErr().println("podguard: " + message.replace('\n', ' ').strip() + " (see: " + help + " --help)");
        where.getErr().flush();
        return 2;
    }

    /**
     * The message of an error; its class when it has none. A message is one line, except a
     * policy's list of errors, which gives each error a line of its own (docs/policy.md).
     */
    public static String oneLine(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return message.strip();
    }

    private static boolean isTopLevelOption(String arg) {
        return arg.equals("--help") || arg.equals("--version");
    }

    @Override
    public void run() {
        new ServeCommand().run();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"podguard " + (v == null ? "dev" : v) + " (Java " + Runtime.version().feature() + ")"};
        }
    }

    /** {@code podguard version}: what {@code --version} prints. */
    @Command(name = "version", description = "Print podguard's version.")
    static final class VersionCommand implements Runnable {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            for (String line : new Version().getVersion()) {
                spec.commandLine().getOut().println(line);
            }
            spec.commandLine().getOut().flush();
        }
    }
}
