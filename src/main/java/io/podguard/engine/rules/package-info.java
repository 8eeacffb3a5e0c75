/**
 * Policy rules in CEL, the language of Kubernetes' ValidatingAdmissionPolicy: the Kubernetes
 * CEL environment (its libraries and cost limits) on cel-java, rules compiled once when a policy
 * loads, and their evaluation over a pod. Plain Java, no I/O.
 */
@NullMarked
package io.podguard.engine.rules;

import org.jspecify.annotations.NullMarked;
