/**
 * How podguard reaches an apiserver: one client factory with kubectl's kubeconfig rules, short
 * timeouts and one-line failures, used by the command line and the server alike; and the leader
 * election among the server's replicas over a Lease. Depends on fabric8 only.
 */
@NullMarked
package io.podguard.kube;

import org.jspecify.annotations.NullMarked;
