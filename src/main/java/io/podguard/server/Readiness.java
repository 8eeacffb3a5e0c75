package io.podguard.server;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Named conditions that must all hold before podguard takes traffic: the policy loaded, the
 * certificate served, the namespace cache synced … Each feature registers its own.
 */
public final class Readiness {

    private final Map<String, String> notReady = new ConcurrentHashMap<>();

    /** Marks {@code condition} as not yet met, with why. */
    public void block(String condition, String why) {
        notReady.put(condition, why);
    }

    public void ready(String condition) {
        notReady.remove(condition);
    }

    public boolean isReady() {
        return notReady.isEmpty();
    }

    /** The unmet conditions, sorted, with their reasons. */
    public Map<String, String> unmet() {
        return new TreeMap<>(notReady);
    }
}
