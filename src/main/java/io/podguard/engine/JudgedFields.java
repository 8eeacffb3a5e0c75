package io.podguard.engine;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What of a pod the typed view ({@link PodObject#podSpec()}, {@link PodObject#podMeta()}) leaves
 * out: the fields nothing in podguard reads in typed form. Binding them into fabric8's model was
 * half of the work and garbage of typing a pod (environment, commands, mounts, resources, affinity,
 * spread constraints, tolerations …); whatever judges them (CEL rules, placement, PodSecurityPolicies)
 * reads the pod's JSON, which keeps them all. {@code JudgedFieldsTest} fails when code starts to
 * read one of them from the typed view.
 *
 * <p>A value of the wrong type in one of these fields is no longer refused while typing the pod;
 * the apiserver decodes every object before it calls a webhook, so a webhook never sees one.
 */
public final class JudgedFields {

    private JudgedFields() {
    }

    /** Container and ephemeral container fields left out. */
    @JsonIgnoreProperties(ignoreUnknown = true, value = {"env", "envFrom", "command", "args", "volumeMounts", "volumeDevices", "workingDir",
            "terminationMessagePath", "terminationMessagePolicy", "imagePullPolicy", "resizePolicy", "stdin", "stdinOnce", "tty", "resources"})
    abstract static class ContainerFields {
    }

    /** Pod spec fields left out. */
    @JsonIgnoreProperties(ignoreUnknown = true, value = {"affinity", "topologySpreadConstraints", "tolerations", "nodeSelector", "dnsConfig",
            "dnsPolicy", "readinessGates", "resourceClaims", "schedulingGates", "imagePullSecrets", "priorityClassName", "priority",
            "schedulerName", "subdomain", "hostname", "preemptionPolicy", "overhead", "automountServiceAccountToken", "enableServiceLinks",
            "hostAliases", "setHostnameAsFQDN", "activeDeadlineSeconds", "nodeName", "resources"})
    abstract static class PodSpecFields {
    }

    /** Metadata fields left out. */
    @JsonIgnoreProperties(ignoreUnknown = true, value = {"managedFields", "finalizers", "creationTimestamp", "deletionTimestamp",
            "deletionGracePeriodSeconds", "selfLink", "generation"})
    abstract static class ObjectMetaFields {
    }
}
