package io.podguard.server;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.jspecify.annotations.Nullable;

/**
 * With mutual TLS, the names a client certificate may carry ({@code podguard.tls.client-names}):
 * the apiserver's, as its AdmissionConfiguration kubeconfig presents it. Any certificate the
 * client CA signed passes the TLS handshake; this narrows it to the apiserver, should that CA
 * sign certificates for others too. A name matches a DNS subject alternative name or the common
 * name, exactly.
 */
final class ClientNames {

    private static final int DNS_NAME = 2;

    private final Set<String> names;

    /** @param names empty: any certificate the client CA signed is accepted */
    ClientNames(Collection<String> names) {
        this.names = Set.copyOf(names);
    }

    boolean restricts() {
        return !names.isEmpty();
    }

    /** Whether the client's certificate ({@code chain[0]}) carries an allowed name; true when nothing is restricted. */
    boolean allows(X509Certificate @Nullable [] chain) {
        if (names.isEmpty()) {
            return true;
        }
        if (chain == null || chain.length == 0) {
            return false;
        }
        X509Certificate client = chain[0];
        try {
            Collection<List<?>> alternatives = client.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alt : alternatives) {
                    if (alt.size() >= 2 && Integer.valueOf(DNS_NAME).equals(alt.get(0)) && names.contains(String.valueOf(alt.get(1)))) {
                        return true;
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return false;
        }
        try {
            for (Rdn rdn : new LdapName(client.getSubjectX500Principal().getName()).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType()) && names.contains(String.valueOf(rdn.getValue()))) {
                    return true;
                }
            }
        } catch (InvalidNameException e) {
            return false;
        }
        return false;
    }
}
