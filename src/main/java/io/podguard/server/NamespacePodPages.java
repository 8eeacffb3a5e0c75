package io.podguard.server;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podguard.admission.PodSecurityLabelDryRun;
import io.podguard.engine.Json;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import tools.jackson.databind.node.ObjectNode;

/**
 * The pods of one namespace for the label dry run, read from the apiserver a page at a time
 * (RBAC: {@code list} on pods), so that a namespace of many thousand pods is never held whole;
 * all pages within {@code timeout}, on the request's path. PSA reads them from the apiserver's own
 * cache; podguard keeps no cache of every pod for a request this rare.
 */
final class NamespacePodPages implements PodSecurityLabelDryRun.NamespacePods {

    static final int PAGE_SIZE = 500;
    private static final ExecutorService READERS = Executors.newVirtualThreadPerTaskExecutor();

    private final Supplier<KubernetesClient> clients;
    private final Duration timeout;

    NamespacePodPages(Supplier<KubernetesClient> clients, Duration timeout) {
        this.clients = clients;
        this.timeout = timeout;
    }

    @Override
    public void forEach(String namespace, Consumer<ObjectNode> each) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        KubernetesClient client = clients.get();
        String next = null;
        do {
            ListOptionsBuilder options = new ListOptionsBuilder().withLimit((long) PAGE_SIZE);
            if (next != null) {
                options.withContinue(next);
            }
            CompletableFuture<PodList> read = CompletableFuture.supplyAsync(
                    () -> client.pods().inNamespace(namespace).list(options.build()), READERS);
            PodList page;
            try {
                page = read.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                read.cancel(true);
                throw new TimeoutException("the pods of " + namespace + " could not be listed within " + timeout.toMillis() + " ms");
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
            for (Pod pod : page.getItems()) {
                each.accept(Json.serialization().convertValue(pod, ObjectNode.class));
            }
            next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
        } while (next != null && !next.isEmpty());
    }
}
