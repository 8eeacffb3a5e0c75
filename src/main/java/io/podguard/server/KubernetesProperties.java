package io.podguard.server;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code podguard.kubernetes.*}: how podguard reaches the apiserver for Events and the
 * background audit. In a pod, its service account is used; outside one, only when a
 * kubeconfig is named: {@code java -jar podguard.jar} alone never talks to a cluster.
 *
 * @param kubeconfig kubeconfig file to use
 * @param context its context (default: the current one)
 */
@ConfigurationProperties("podguard.kubernetes")
public record KubernetesProperties(@Nullable Path kubeconfig, @Nullable String context) {
}
