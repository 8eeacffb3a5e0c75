package io.podguard.cli;

import io.podguard.tls.CertificateAuthority;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Writes a CA and a serving certificate for the given names: {@code ca.crt}, {@code ca.key}, {@code tls.crt}, {@code tls.key}. */
@Command(name = "certs", mixinStandardHelpOptions = true,
        description = "Write a CA and a serving certificate for the given DNS names into a folder.")
public final class CertsCommand implements Callable<Integer> {

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Folder to write into (default: ./certs/generated).")
    Path out = Path.of("certs", "generated");

    @Option(names = "--days", description = "Validity of the serving certificate in days (default: 365).")
    int days = 365;

    @Parameters(paramLabel = "NAME", arity = "0..*",
            description = "DNS names or IP addresses of the serving certificate (default: localhost 127.0.0.1).")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() {
        if (days < 1) {
            throw new IllegalArgumentException("--days must be at least 1");
        }
        List<String> all = new ArrayList<>(new LinkedHashSet<>(names.isEmpty() ? List.of("localhost", "127.0.0.1") : names));
        CertificateAuthority ca = CertificateAuthority.create("podguard-ca", CertificateAuthority.CA_VALIDITY);
        CertificateAuthority.Issued serving = ca.issueServing(all, Duration.ofDays(days));
        CertificateAuthority.writeFiles(out, ca, serving);
        System.out.println("wrote " + out.resolve("ca.crt") + ", " + out.resolve("ca.key") + ", "
                + out.resolve("tls.crt") + ", " + out.resolve("tls.key") + " for " + String.join(", ", all));
        return 0;
    }
}
