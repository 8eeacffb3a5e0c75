package io.podguard.testing;

import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Engine;
import io.podguard.engine.Evaluation;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.Stage;
import io.podguard.engine.defaults.DefaultsConfig;
import io.podguard.engine.pss.PodSecurityLevels;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Shorthands for tests that judge through the engine's one entry point. */
public final class Judging {

    private Judging() {
    }

    /** The judgement of {@code pod} as written (no defaults), created offline in its own namespace. */
    public static Evaluation evaluate(PodObject pod, EffectivePolicy policy) {
        return Engine.standard().judge(pod, policy, RequestInfo.offline(pod.namespace()), Stage.AS_WRITTEN).evaluation();
    }

    /** Pod Security Standards levels per mode and defaults, nothing else. */
    public static EffectivePolicy levels(@Nullable LevelVersion enforce, @Nullable LevelVersion audit, @Nullable LevelVersion warn,
                                         DefaultsConfig defaults) {
        LevelVersion shortForm = enforce != null ? enforce : audit != null ? audit : warn;
        return new EffectivePolicy(defaults, List.of(new PodSecurityLevels(enforce, audit, warn,
                shortForm != null ? shortForm : LevelVersion.parse("privileged", "latest"))));
    }

    /** The Pod Security Standards levels of {@code policy}, or null when it has none. */
    public static @Nullable PodSecurityLevels levels(EffectivePolicy policy) {
        return policy.rule(PodSecurityLevels.class);
    }
}
