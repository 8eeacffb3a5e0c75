package io.podguard.e2e;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The policies the e2e tests run podguard with, and one shared podguard process per policy. */
final class Policies {

    static final String ENFORCE_BASELINE = """
            mode: enforce
            podSecurity:
              level: baseline
              version: latest
            defaults:
              enabled: true
              mode: apply
            """;

    static final String WARN_BASELINE = """
            mode: warn
            podSecurity:
              level: baseline
              version: latest
            """;

    static final String AUDIT_BASELINE = """
            mode: audit
            podSecurity:
              level: baseline
              version: latest
            """;

    private static final Map<String, Podguard> SHARED = new ConcurrentHashMap<>();

    private Policies() {
    }

    /** A podguard process serving {@code policy}, started on first use and kept for the suite. */
    static Podguard shared(String name, String policy) {
        return SHARED.computeIfAbsent(policy, p -> Podguard.start(name, p));
    }

    /** For conformance: only PSS, at one level and version, enforced; no defaults. */
    static String enforceOnly(String level, String version) {
        return """
                mode: enforce
                podSecurity:
                  level: %s
                  version: %s
                defaults:
                  enabled: false
                """.formatted(level, version);
    }
}
