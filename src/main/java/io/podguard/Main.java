package io.podguard;

import io.podguard.cli.AuditCommand;
import io.podguard.cli.CertsCommand;
import io.podguard.cli.CheckCommand;
import io.podguard.cli.ConfigCommand;
import io.podguard.cli.PspCommand;
import io.podguard.cli.ReviewCommand;
import io.podguard.cli.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code podguard [serve|review|check|audit|certs|config|psp] …}; with no command, {@code serve}. */
@Command(name = "podguard",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Kubernetes admission webhook for Pods: Pod Security Standards, PodSecurityPolicy and defaults.",
        subcommands = {ServeCommand.class, ReviewCommand.class, CheckCommand.class, AuditCommand.class, CertsCommand.class,
                ConfigCommand.class, PspCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        CommandLine cli = commandLine();
        if (args.length == 0 || args[0].startsWith("--") && !isTopLevelOption(args[0])) {
            // `java -jar podguard.jar [--spring.option=…]` serves.
            String[] serve = new String[args.length + 1];
            serve[0] = "serve";
            System.arraycopy(args, 0, serve, 1, args.length);
            args = serve;
        }
        int code = cli.execute(args);
        if (code != 0 || !ServeCommand.isServing()) {
            System.exit(code);
        }
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("podguard: " + e.getMessage());
            return 2;
        });
        cli.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("podguard: " + e.getMessage());
            return 2;
        });
        return cli;
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
            return new String[] {"podguard " + (v == null ? "dev" : v)};
        }
    }
}
