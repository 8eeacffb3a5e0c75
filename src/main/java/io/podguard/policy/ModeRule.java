package io.podguard.policy;

import io.podguard.engine.rules.CelRule;

/** A compiled CEL rule and the mode it judges in. */
public record ModeRule(CelRule rule, Mode mode) {
}
