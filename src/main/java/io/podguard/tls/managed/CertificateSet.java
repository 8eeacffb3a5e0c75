package io.podguard.tls.managed;

import io.podguard.tls.CertificateAuthority;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The content of the shared Secret: the current CA (certificate and key), the serving
 * certificate it signed, and the CA bundle to inject: the current CA first, then any previous CA
 * that may still sign a serving certificate somebody serves.
 *
 * <p>Renewal follows one rule for both certificates: renew at two thirds of the life. A renewed
 * CA goes into the bundle next to the old one, which stays until every serving certificate the
 * old CA can have signed has expired, so a replica still serving the old certificate stays
 * trusted through the switch.
 */
public record CertificateSet(
        CertificateAuthority ca,
        X509Certificate serving,
        PrivateKey servingKey,
        List<X509Certificate> caBundle) {

    public static final String CA_CERT = "ca.crt";
    public static final String CA_KEY = "ca.key";
    public static final String TLS_CERT = "tls.crt";
    public static final String TLS_KEY = "tls.key";
    public static final String CA_BUNDLE = "ca-bundle.crt";

    public CertificateSet {
        caBundle = List.copyOf(caBundle);
    }

    /** Equal when every certificate and key is (a CA object has no equality of its own). */
    @Override
    public boolean equals(Object o) {
        return o instanceof CertificateSet other
                && ca.certificate().equals(other.ca.certificate())
                && ca.keyPair().getPrivate().equals(other.ca.keyPair().getPrivate())
                && serving.equals(other.serving)
                && servingKey.equals(other.servingKey)
                && caBundle.equals(other.caBundle);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(ca.certificate(), serving, caBundle);
    }

    /** A new CA and a serving certificate it signed. */
    public static CertificateSet create(Instant now, CertificateSettings settings) {
        CertificateAuthority ca = CertificateAuthority.create(CertificateSettings.CA_COMMON_NAME, now, settings.caValidity());
        CertificateAuthority.Issued issued = issue(ca, now, settings);
        return new CertificateSet(ca, issued.certificate(), issued.keyPair().getPrivate(), List.of(ca.certificate()));
    }

    /** When {@code certificate} is due for renewal: at two thirds of its life. */
    public static Instant renewalTime(X509Certificate certificate) {
        Instant from = certificate.getNotBefore().toInstant();
        Instant to = certificate.getNotAfter().toInstant();
        return from.plus(Duration.between(from, to).multipliedBy(2).dividedBy(3));
    }

    /** The earliest time something in this set needs renewing or pruning. */
    public Instant nextChange(CertificateSettings settings) {
        Instant next = renewalTime(serving);
        Instant caRenewal = renewalTime(ca.certificate());
        if (caRenewal.isBefore(next)) {
            next = caRenewal;
        }
        for (X509Certificate previous : caBundle.subList(1, caBundle.size())) {
            Instant prune = pruneTime(previous, settings);
            if (prune.isBefore(next)) {
                next = prune;
            }
        }
        return next;
    }

    /**
     * The set as it should be at {@code now}: empty when this one is still good, else the
     * renewed set (a new serving certificate, and a new CA too when the CA is due).
     */
    public Optional<CertificateSet> renewed(Instant now, CertificateSettings settings) {
        boolean caDue = !now.isBefore(renewalTime(ca.certificate())) || !ca.certificate().getNotAfter().toInstant().isAfter(now);
        boolean servingDue = caDue
                || !now.isBefore(renewalTime(serving))
                || !namesOf(serving).equals(new TreeSet<>(settings.dnsNames()))
                || !signedBy(serving, ca.certificate());
        if (caDue) {
            CertificateAuthority next = CertificateAuthority.create(CertificateSettings.CA_COMMON_NAME, now, settings.caValidity());
            CertificateAuthority.Issued issued = issue(next, now, settings);
            List<X509Certificate> bundle = new ArrayList<>();
            bundle.add(next.certificate());
            // The outgoing CA signed the certificate that every replica serves right now.
            bundle.add(ca.certificate());
            return Optional.of(new CertificateSet(next, issued.certificate(), issued.keyPair().getPrivate(), bundle));
        }
        List<X509Certificate> bundle = prunedBundle(now, settings);
        if (servingDue) {
            CertificateAuthority.Issued issued = issue(ca, now, settings);
            return Optional.of(new CertificateSet(ca, issued.certificate(), issued.keyPair().getPrivate(), bundle));
        }
        if (bundle.size() != caBundle.size()) {
            return Optional.of(new CertificateSet(ca, serving, servingKey, bundle));
        }
        return Optional.empty();
    }

    /**
     * The bundle without the previous CAs whose last possible serving certificate has expired:
     * no serving certificate signed by them can outlive the moment the current CA took over plus
     * one serving validity. The current CA is always first.
     */
    private List<X509Certificate> prunedBundle(Instant now, CertificateSettings settings) {
        List<X509Certificate> bundle = new ArrayList<>();
        bundle.add(ca.certificate());
        for (X509Certificate previous : caBundle) {
            if (previous.equals(ca.certificate())) {
                continue;
            }
            if (now.isBefore(pruneTime(previous, settings))) {
                bundle.add(previous);
            }
        }
        return bundle;
    }

    private Instant pruneTime(X509Certificate previous, CertificateSettings settings) {
        Instant expiry = previous.getNotAfter().toInstant();
        // The current CA's notBefore is back-dated five minutes: add them back, and as much again for skew.
        Instant lastServing = ca.certificate().getNotBefore().toInstant().plus(settings.servingValidity()).plus(Duration.ofMinutes(10));
        return expiry.isBefore(lastServing) ? expiry : lastServing;
    }

    private static CertificateAuthority.Issued issue(CertificateAuthority ca, Instant now, CertificateSettings settings) {
        Duration validity = settings.servingValidity();
        Duration caLeft = Duration.between(now, ca.certificate().getNotAfter().toInstant());
        if (caLeft.compareTo(validity) < 0) {
            validity = caLeft;
        }
        return ca.issueServing(settings.dnsNames(), now, validity);
    }

    /** The bundle as PEM, as the webhook configurations' {@code caBundle} carries it (base64 of this). */
    public String caBundlePem() {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : caBundle) {
            sb.append(CertificateAuthority.pem(c));
        }
        return sb.toString();
    }

    public String servingCertificatePem() {
        return CertificateAuthority.pem(serving);
    }

    public String servingKeyPem() {
        return CertificateAuthority.pem(servingKey);
    }

    /** The Secret's {@code data}: base64 PEM per key. */
    public Map<String, String> toSecretData() {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(CA_CERT, base64(CertificateAuthority.pem(ca.certificate())));
        data.put(CA_KEY, base64(CertificateAuthority.pem(ca.keyPair().getPrivate())));
        data.put(TLS_CERT, base64(servingCertificatePem()));
        data.put(TLS_KEY, base64(servingKeyPem()));
        data.put(CA_BUNDLE, base64(caBundlePem()));
        return data;
    }

    /**
     * Reads a set back from a Secret's {@code data}.
     *
     * @throws IllegalArgumentException when a key is missing or does not hold what it should
     */
    public static CertificateSet fromSecretData(Map<String, String> data) {
        X509Certificate caCert = single(certificates(decode(data, CA_CERT), CA_CERT), CA_CERT);
        PrivateKey caKey = privateKey(decode(data, CA_KEY), CA_KEY);
        X509Certificate serving = single(certificates(decode(data, TLS_CERT), TLS_CERT), TLS_CERT);
        PrivateKey servingKey = privateKey(decode(data, TLS_KEY), TLS_KEY);
        List<X509Certificate> bundle = certificates(decode(data, CA_BUNDLE), CA_BUNDLE);
        if (bundle.isEmpty() || !bundle.getFirst().equals(caCert)) {
            throw new IllegalArgumentException(CA_BUNDLE + " must start with the CA of " + CA_CERT);
        }
        return new CertificateSet(CertificateAuthority.of(caCert, new KeyPair(caCert.getPublicKey(), caKey)), serving, servingKey, bundle);
    }

    /** The certificates in a PEM bundle, in order. */
    public static List<X509Certificate> certificates(String pem, String what) {
        try {
            Collection<? extends java.security.cert.Certificate> all = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            return all.stream().map(X509Certificate.class::cast).toList();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(what + " does not hold PEM certificates: " + e.getMessage());
        }
    }

    /** The DNS and IP names of a certificate, sorted. */
    static Set<String> namesOf(X509Certificate certificate) {
        Set<String> names = new TreeSet<>();
        try {
            Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    names.add(String.valueOf(san.get(1)));
                }
            }
        } catch (GeneralSecurityException e) {
            // unreadable names: treated as none, which forces a re-issue
        }
        return names;
    }

    static boolean signedBy(X509Certificate certificate, X509Certificate issuer) {
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static X509Certificate single(List<X509Certificate> certificates, String what) {
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(what + " holds no certificate");
        }
        return certificates.getFirst();
    }

    /** The private key in a PEM text (PKCS#1 or PKCS#8). */
    public static PrivateKey fromPem(String pem) {
        return privateKey(pem, "the PEM text");
    }

    private static PrivateKey privateKey(String pem, String what) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new IllegalArgumentException(what + " holds no private key");
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " holds no readable private key: " + e.getMessage());
        }
    }

    private static String decode(Map<String, String> data, String key) {
        String value = data.get(key);
        if (value == null) {
            throw new IllegalArgumentException("the Secret has no " + key);
        }
        try {
            return new String(Base64.getDecoder().decode(value), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " is not base64");
        }
    }

    static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }
}
