package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The label dry run's pods, read from an apiserver on loopback page by page (limit and continue,
 * as the apiserver pages), and given up when they take too long.
 */
class NamespacePodPagesTest {

    private HttpServer server;
    private KubernetesClient client;
    private final List<String> queries = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    /** An apiserver that holds {@code pods} pods in namespace {@code team} and pages them; each answer after {@code delay}. */
    private void apiserver(int pods, Duration delay) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/namespaces/team/pods", exchange -> answer(exchange, pods, delay));
        server.start();
        Config config = new ConfigBuilder().withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort())
                .withRequestRetryBackoffLimit(0).build();
        client = new KubernetesClientBuilder().withConfig(config).build();
    }

    private void answer(HttpExchange exchange, int pods, Duration delay) throws IOException {
        String query = exchange.getRequestURI().getRawQuery();
        queries.add(query);
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        int limit = Integer.parseInt(param(query, "limit", "1000000"));
        int from = Integer.parseInt(param(query, "continue", "0"));
        StringBuilder items = new StringBuilder();
        for (int i = from; i < Math.min(pods, from + limit); i++) {
            items.append(items.isEmpty() ? "" : ",").append("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p-")
                    .append(i).append("\",\"namespace\":\"team\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}");
        }
        String next = from + limit < pods ? Integer.toString(from + limit) : "";
        byte[] body = ("{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{\"continue\":\"" + next + "\"},\"items\":[" + items + "]}")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private static String param(String query, String name, String otherwise) {
        for (String pair : query == null ? new String[0] : query.split("&")) {
            if (pair.startsWith(name + "=")) {
                return java.net.URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        return otherwise;
    }

    @Test
    @Timeout(30)
    void forEachWhenManyPodsThenEveryPodPageByPage() throws Exception {
        apiserver(1_234, Duration.ZERO);
        List<String> names = new ArrayList<>();

        new NamespacePodPages(() -> client, Duration.ofSeconds(10)).forEach("team", pod -> names.add(pod.at("/metadata/name").asString()));

        assertThat(names).hasSize(1_234).startsWith("p-0", "p-1").endsWith("p-1233");
        assertThat(queries).hasSize(3).allSatisfy(q -> assertThat(q).contains("limit=" + NamespacePodPages.PAGE_SIZE));
        assertThat(queries.get(1)).contains("continue=500");
    }

    @Test
    @Timeout(30)
    void forEachWhenTheApiserverIsTooSlowThenGivenUpAtTheTimeout() throws Exception {
        apiserver(10, Duration.ofSeconds(5));

        assertThatThrownBy(() -> new NamespacePodPages(() -> client, Duration.ofMillis(300)).forEach("team", pod -> { }))
                .isInstanceOf(TimeoutException.class)
                .hasMessage("the pods of team could not be listed within 300 ms");
    }
}
