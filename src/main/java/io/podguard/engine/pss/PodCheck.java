package io.podguard.engine.pss;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;

/** One version of a check: a pure function of pod metadata and spec. */
@FunctionalInterface
public interface PodCheck {
    CheckResult check(ObjectMeta podMeta, PodSpec podSpec);
}
