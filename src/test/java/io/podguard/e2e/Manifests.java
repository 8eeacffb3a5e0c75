package io.podguard.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;

/** The pods and workloads the e2e tests send through the apiserver. */
final class Manifests {

    private Manifests() {
    }

    /** Only what a pod must have: one container with an image and a port. */
    static Pod barePod(String name) {
        return new PodBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec()
                    .addNewContainer().withName("app").withImage("nginx:1.29")
                        .addNewPort().withContainerPort(8080).endPort()
                    .endContainer()
                .endSpec()
                .build();
    }

    /** Compliant with the restricted Pod Security Standard at every version. */
    static Pod restrictedPod(String name) {
        return new PodBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withSpec(restrictedSpec())
                .build();
    }

    /** Breaks baseline twice: the host network and a privileged container. */
    static Pod privilegedPod(String name) {
        return new PodBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withSpec(privilegedSpec())
                .build();
    }

    static Deployment privilegedDeployment(String name) {
        return new DeploymentBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec()
                    .withNewSelector().addToMatchLabels("app", name).endSelector()
                    .withNewTemplate()
                        .withNewMetadata().addToLabels("app", name).endMetadata()
                        .withSpec(privilegedSpec())
                    .endTemplate()
                .endSpec()
                .build();
    }

    private static PodSpec restrictedSpec() {
        return new PodSpecBuilder()
                .withNewSecurityContext().withRunAsNonRoot(true).withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .addNewContainer().withName("app").withImage("nginx:1.29")
                    .withNewSecurityContext().withAllowPrivilegeEscalation(false)
                        .withNewCapabilities().withDrop("ALL").endCapabilities()
                    .endSecurityContext()
                .endContainer()
                .build();
    }

    private static PodSpec privilegedSpec() {
        return new PodSpecBuilder()
                .withHostNetwork(true)
                .addNewContainer().withName("app").withImage("nginx:1.29")
                    .withNewSecurityContext().withPrivileged(true).endSecurityContext()
                .endContainer()
                .build();
    }
}
