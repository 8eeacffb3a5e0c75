package io.podguard.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Judgement;
import io.podguard.engine.MatchedExemption;
import io.podguard.policy.ConfiguredPolicyResolver;
import io.podguard.policy.PolicyStore;
import io.podguard.report.MetricNames;
import io.podguard.report.Review;
import io.podguard.report.ReviewObserver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The policy's own metrics: reloads, the time of the last good one, exemptions applied and
 * exemptions of the policy in force that have expired.
 */
final class PolicyMetrics implements ReviewObserver {

    private final MeterRegistry registry;
    private final Counter reloadSuccess;
    private final Counter reloadFailure;
    private final AtomicLong lastSuccessSeconds = new AtomicLong();
    private final Map<String, Counter> applied = new ConcurrentHashMap<>();

    PolicyMetrics(MeterRegistry registry, PolicyStore store) {
        this.registry = registry;
        this.reloadSuccess = reloads("success");
        this.reloadFailure = reloads("failure");
        Gauge.builder(MetricNames.CONFIG_LAST_RELOAD_SUCCESS, lastSuccessSeconds, AtomicLong::doubleValue)
                .description("When the policy in force was loaded (Unix seconds); stays put while new ones are refused")
                .register(registry);
        Gauge.builder(MetricNames.EXEMPTIONS_EXPIRED, store, s -> s.resolver() instanceof ConfiguredPolicyResolver r ? r.expired().size() : 0)
                .description("Exemptions of the policy in force past their expiry date: they no longer apply")
                .register(registry);
    }

    private Counter reloads(String result) {
        return Counter.builder(MetricNames.CONFIG_RELOADS)
                .description("Policy reloads, by result; a refused policy leaves the last good one in force")
                .tag(MetricNames.RESULT, result)
                .register(registry);
    }

    /** The policy in force was (re)loaded now. */
    void loaded(boolean reload) {
        if (reload) {
            reloadSuccess.increment();
        }
        lastSuccessSeconds.set(System.currentTimeMillis() / 1000);
    }

    void reloadFailed() {
        reloadFailure.increment();
    }

    @Override
    public void evaluated(Review review, EffectivePolicy policy, Judgement judgement) {
        for (MatchedExemption e : judgement.evaluation().exemptionsApplied()) {
            applied.computeIfAbsent(e.kind(), kind -> Counter.builder(MetricNames.EXEMPTIONS_APPLIED)
                    .description("Reviews judged under an exemption, by the exemption's kind")
                    .tag(MetricNames.KIND, kind)
                    .register(registry)).increment();
        }
    }
}
