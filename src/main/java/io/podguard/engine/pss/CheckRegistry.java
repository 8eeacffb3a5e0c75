package io.podguard.engine.pss;

import io.podguard.engine.Level;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.PssVersion;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every Pod Security Standards check, validated when built: unique ids, strictly increasing
 * versions, overrides only from restricted checks onto baseline ones. For each level and
 * version it lists the checks in force in PSA's order: baseline ids sorted, then restricted
 * ids sorted, baseline checks overridden by a restricted one left out.
 */
public final class CheckRegistry {

    private final List<Check> checks;
    private final Map<LevelVersion, List<Entry>> plans = new HashMap<>();
    private final Map<LevelVersion, List<String>> ids = new HashMap<>();

    /** Each check version's slot, for {@link Entry#slot()}. */
    private final Map<CheckVersion, Integer> slots = new IdentityHashMap<>();

    /**
     * A check in force at one level and version.
     *
     * @param slot this check version's number among all of the registry's ({@code 0 … slots() - 1}): a
     *     level and the levels above it share their checks' versions, and what one check version says of
     *     a pod is the same at every level ({@link PodSecurityEvaluator#evaluate(LevelVersion, io.podguard.engine.PodObject, CheckResult[])})
     */
    public record Entry(Check check, CheckVersion version, int slot) {
    }

    public CheckRegistry(List<Check> checks) {
        validate(checks);
        this.checks = List.copyOf(checks);
        for (Check check : this.checks) {
            for (CheckVersion v : check.versions()) {
                slots.putIfAbsent(v, slots.size());
            }
        }
        for (int minor = 0; minor <= PssVersion.NEWEST_MINOR; minor++) {
            plan(PssVersion.of(minor));
        }
        plan(PssVersion.LATEST);
    }

    public List<Check> checks() {
        return checks;
    }

    /** How many check versions the registry holds: the size of a memo of one pod's check results. */
    public int slots() {
        return slots.size();
    }

    /** The checks to run for {@code lv}, in message order; none for privileged. */
    public List<Entry> plan(LevelVersion lv) {
        if (lv.level() == Level.PRIVILEGED) {
            return List.of();
        }
        List<Entry> plan = plans.get(known(lv));
        if (plan == null) {
            throw new IllegalArgumentException("unknown Pod Security Standards version " + lv.version());
        }
        return plan;
    }

    /** The ids of {@link #plan}'s checks, in the same order. */
    public List<String> ids(LevelVersion lv) {
        if (lv.level() == Level.PRIVILEGED) {
            return List.of();
        }
        List<String> list = ids.get(known(lv));
        if (list == null) {
            throw new IllegalArgumentException("unknown Pod Security Standards version " + lv.version());
        }
        return list;
    }

    /** A version newer than podguard knows is judged by the latest rules. */
    private static LevelVersion known(LevelVersion lv) {
        return lv.version().minor() > PssVersion.NEWEST_MINOR && !lv.version().isLatest()
                ? new LevelVersion(lv.level(), PssVersion.LATEST) : lv;
    }

    private void plan(PssVersion version) {
        List<Check> sorted = new ArrayList<>(checks);
        sorted.sort(Comparator.comparing((Check c) -> c.level() == Level.RESTRICTED).thenComparing(Check::id));
        List<Entry> baseline = new ArrayList<>();
        List<Entry> restricted = new ArrayList<>();
        Set<String> overridden = new HashSet<>();
        for (Check check : sorted) {
            CheckVersion v = check.at(version);
            if (v != null && check.level() == Level.RESTRICTED) {
                overridden.addAll(v.overrides());
            }
        }
        for (Check check : sorted) {
            CheckVersion v = check.at(version);
            if (v == null) {
                continue;
            }
            Entry entry = new Entry(check, v, slots.get(v));
            if (check.level() == Level.BASELINE) {
                baseline.add(entry);
                if (!overridden.contains(check.id())) {
                    restricted.add(entry);
                }
            } else {
                restricted.add(entry);
            }
        }
        plans.put(new LevelVersion(Level.BASELINE, version), List.copyOf(baseline));
        plans.put(new LevelVersion(Level.RESTRICTED, version), List.copyOf(restricted));
        ids.put(new LevelVersion(Level.BASELINE, version), baseline.stream().map(e -> e.check().id()).toList());
        ids.put(new LevelVersion(Level.RESTRICTED, version), restricted.stream().map(e -> e.check().id()).toList());
    }

    static void validate(List<Check> checks) {
        Set<String> ids = new HashSet<>();
        Map<String, Level> levels = new HashMap<>();
        for (Check check : checks) {
            if (!ids.add(check.id())) {
                throw new IllegalStateException("duplicate check id " + check.id());
            }
            levels.put(check.id(), check.level());
            if (check.level() == Level.PRIVILEGED) {
                throw new IllegalStateException("check " + check.id() + ": level privileged has no checks");
            }
            if (check.versions().isEmpty()) {
                throw new IllegalStateException("check " + check.id() + " has no versions");
            }
            PssVersion previous = null;
            for (CheckVersion v : check.versions()) {
                if (v.minimumVersion().isLatest()) {
                    throw new IllegalStateException("check " + check.id() + ": a minimum version must be numbered");
                }
                if (previous != null && !v.minimumVersion().isAtLeast(previous) || v.minimumVersion().equals(previous)) {
                    throw new IllegalStateException("check " + check.id() + ": versions must strictly increase");
                }
                previous = v.minimumVersion();
            }
        }
        for (Check check : checks) {
            for (CheckVersion v : check.versions()) {
                for (String overridden : v.overrides()) {
                    if (check.level() != Level.RESTRICTED) {
                        throw new IllegalStateException("check " + check.id() + ": only restricted checks may override");
                    }
                    if (levels.get(overridden) != Level.BASELINE) {
                        throw new IllegalStateException("check " + check.id() + " overrides " + overridden + ", which is not a baseline check");
                    }
                }
            }
        }
    }
}
