/**
 * Placement: where a pod may run. The semantics of kube-apiserver's PodNodeSelector,
 * PodTolerationRestriction and ExtendedResourceToleration admission plugins (node selectors and
 * tolerations per namespace), and podguard's own guardrails (nodeName, node labels a namespace
 * may select, dedicated nodes), as pure functions over a pod's JSON.
 */
@NullMarked
package io.podguard.engine.placement;

import org.jspecify.annotations.NullMarked;
