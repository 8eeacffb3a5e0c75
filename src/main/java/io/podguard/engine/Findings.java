package io.podguard.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** What one rule kind hands back from judging a pod: its verdicts per mode and its audit annotations. */
public final class Findings {

    private final String kind;
    private final List<KindVerdict> verdicts = new ArrayList<>(3);
    private @Nullable Map<String, String> annotations;

    Findings(String kind) {
        this.kind = kind;
    }

    /** The verdict of this kind in {@code mode}: every rule it ran, the ones broken (empty when the pod passes). */
    public void add(Mode mode, @Nullable LevelVersion level, List<String> rules, List<Violation> violations, Wording wording) {
        verdicts.add(new KindVerdict(kind, mode, level, rules, violations, wording));
    }

    /** An audit annotation for the validating webhook's answer ({@code enforce-policy}, {@code psp-validate-policy}). */
    public void annotate(String key, String value) {
        if (annotations == null) {
            annotations = new LinkedHashMap<>(2);
        }
        annotations.put(key, value);
    }

    List<KindVerdict> verdicts() {
        return verdicts;
    }

    Map<String, String> annotations() {
        return annotations == null ? Map.of() : annotations;
    }
}
