package io.podguard.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.podguard.engine.Engine;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** An apiserver without the PolicyReport CRD answers 404: the audit still runs, publishing is skipped. */
@EnableKubernetesMockClient
class PolicyReportsWithoutCrdTest {

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void publishWhenTheCrdIsAbsentThenSkippedWithAReason() {
        server.expect().get().withPath("/api/v1/pods?limit=500")
                .andReturn(200, new PodListBuilder().withNewMetadata().endMetadata().addNewItem()
                        .withNewMetadata().withName("p").withNamespace("team-a").endMetadata()
                        .withNewSpec().withHostIPC(true).addNewContainer().withName("c").withImage("x").endContainer().endSpec()
                        .endItem().build()).once();
        PolicyReports.Publication publication = new PolicyReports(client, 10).begin(Instant.EPOCH, () -> true);
        AuditReport report = new ClusterAudit(client, Engine.standard(), 500, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC))
                .run(ClusterAuditTest.AUDIT_BASELINE, "p", ClusterAudit.Scope.ALL, io.podguard.engine.Stage.AS_WRITTEN,
                        publication, ClusterAudit.Control.UNBOUNDED);

        PolicyReports.Outcome outcome = publication.finish(report.complete());

        assertThat(report.wouldBeDenied()).isEqualTo(1);
        assertThat(outcome).isEqualTo(new PolicyReports.Outcome(false, 0, 0, 0, 0, 0,
                "the PolicyReport CRD (wgpolicyk8s.io/v1alpha2) is not installed"));
    }
}
