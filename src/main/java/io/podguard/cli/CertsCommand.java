package io.podguard.cli;

import io.podguard.tls.CertificateAuthority;
import io.podguard.tls.ServingCertificates;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Writes a serving certificate for the given names ({@code tls.crt}, {@code tls.key}) signed by the
 * CA in the same folder ({@code ca.crt}, {@code ca.key}): the CA already there is reused, so
 * certificates issued before keep verifying against the {@code caBundle} that trusts it; a new
 * one is made only when there is none or with {@code --new-ca}. {@code certs client NAME} mints a
 * client certificate from the same CA, for mutual TLS.
 */
@Command(name = "certs", mixinStandardHelpOptions = true,
        description = "Write a serving certificate for the given DNS names or IP addresses, signed by the CA in the folder "
                + "(made there when there is none).",
        subcommands = CertsCommand.Client.class)
public final class CertsCommand implements Callable<Integer> {

    /** RFC 1123 host names (lower or upper case), optionally a leading wildcard label. */
    private static final Pattern DNS_NAME = Pattern.compile(
            "^(\\*\\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$");

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Folder to write into (default: ./certs/generated).")
    Path out = Path.of("certs", "generated");

    @Option(names = "--days", description = "Validity of the serving certificate in days (default: 365).")
    int days = 365;

    @Option(names = "--new-ca", description = "Make a new CA even when the folder has one (certificates it signed stop verifying).")
    boolean newCa;

    @Parameters(paramLabel = "NAME", arity = "0..*",
            description = "DNS names or IP addresses of the serving certificate (default: localhost 127.0.0.1).")
    List<String> names = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (days < 1) {
            throw new IllegalArgumentException("--days must be at least 1");
        }
        List<String> all = new ArrayList<>(new LinkedHashSet<>(names.isEmpty() ? List.of("localhost", "127.0.0.1") : names));
        for (String name : all) {
            checkName(name);
        }
        Duration validity = Duration.ofDays(days);
        ServingCertificates.checkOwnDirectory(out);
        CertificateAuthority ca = newCa ? null : ServingCertificates.readCa(out, validity);
        boolean reused = ca != null;
        if (ca == null) {
            ca = CertificateAuthority.create("podguard-ca", CertificateAuthority.CA_VALIDITY.compareTo(validity) > 0
                    ? CertificateAuthority.CA_VALIDITY : validity.plusDays(1));
        }
        CertificateAuthority.Issued serving = ca.issueServing(all, validity);
        CertificateAuthority.writeFiles(out, ca, serving);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println("wrote " + out.resolve("tls.crt") + " and " + out.resolve("tls.key") + " for " + String.join(", ", all)
                + ", valid " + days + " days, signed by " + (reused ? "the CA already in " : "a new CA in ") + out.resolve("ca.crt"));
        stdout.flush();
        return 0;
    }

    /** A DNS name (RFC 1123, at most 253 characters) or an IP address; anything else would make a certificate no client accepts. */
    static void checkName(String name) {
        if (isIp(name)) {
            return;
        }
        if (name.length() > 253 || !DNS_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("\"" + name + "\" is neither a DNS name nor an IP address");
        }
    }

    private static boolean isIp(String name) {
        if (!name.matches("[0-9.]+") && !name.contains(":")) {
            return false;
        }
        try {
            InetAddress.ofLiteral(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code certs client NAME}: {@code NAME.crt} and {@code NAME.key}, a client certificate from the folder's CA. */
    @Command(name = "client", mixinStandardHelpOptions = true,
            description = "Write a client certificate NAME.crt and NAME.key signed by the CA in the folder, for mutual TLS "
                    + "(serve --client-ca ca.crt; the apiserver presents it: its AdmissionConfiguration kubeConfigFile).")
    static final class Client implements Callable<Integer> {

        private static final Pattern CLIENT_NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$");

        @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Folder of the CA, where the files are written (default: ./certs/generated).")
        Path out = Path.of("certs", "generated");

        @Option(names = "--days", description = "Validity in days (default: 365).")
        int days = 365;

        @Parameters(paramLabel = "NAME", description = "The client's name, the certificate's common name (e.g. kube-apiserver).")
        String name;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (days < 1) {
                throw new IllegalArgumentException("--days must be at least 1");
            }
            if (!CLIENT_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("\"" + name + "\" is not a client name (letters, digits and . _ : @ -, at most 64)");
            }
            Duration validity = Duration.ofDays(days);
            CertificateAuthority ca = ServingCertificates.readCa(out, validity);
            if (ca == null) {
                throw new IllegalArgumentException("no CA in " + out + " (ca.crt, ca.key): make one first with podguard certs --out " + out);
            }
            CertificateAuthority.Issued client = ca.issueClient(name, validity);
            String file = name.toLowerCase(Locale.ROOT).replace(':', '-').replace('@', '-');
            CertificateAuthority.writeIssued(out, file, client);
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.println("wrote " + out.resolve(file + ".crt") + " and " + out.resolve(file + ".key") + " for client " + name
                    + ", valid " + days + " days, signed by " + out.resolve("ca.crt"));
            stdout.flush();
            return 0;
        }
    }
}
