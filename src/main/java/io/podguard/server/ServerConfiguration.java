package io.podguard.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.podguard.admission.AdmissionHandler;
import io.podguard.admission.Endpoint;
import io.podguard.admission.NamespaceHandler;
import io.podguard.admission.OptOutLabelGuard;
import io.podguard.engine.Engine;
import io.podguard.policy.PolicyStore;
import io.podguard.report.AdmissionMetrics;
import io.podguard.report.MetricNames;
import io.podguard.report.ReviewObserver;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the engine, the policy and the webhook servlets. No logic of its own. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PodguardProperties.class)
class ServerConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(ServerConfiguration.class);

    @Bean
    Readiness readiness() {
        return new Readiness();
    }

    @Bean
    Engine engine() {
        return Engine.standard();
    }

    @Bean
    AdmissionMetrics admissionMetrics(MeterRegistry registry) {
        return new AdmissionMetrics(registry);
    }

    @Bean
    AdmissionHandler admissionHandler(Engine engine, PolicyStore policies, ObjectProvider<ReviewObserver> observers) {
        List<ReviewObserver> all = observers.orderedStream().toList();
        return new AdmissionHandler(engine, policies::resolver, ReviewObserver.composite(all));
    }

    @Bean
    TlsMonitor tlsMonitor(org.springframework.boot.ssl.SslBundles bundles, MeterRegistry registry,
                          org.springframework.core.env.Environment environment) {
        return new TlsMonitor(bundles, registry, pemFile(environment, "certificate"), pemFile(environment, "private-key"));
    }

    private static java.nio.file.Path pemFile(org.springframework.core.env.Environment environment, String which) {
        String location = environment.getProperty("spring.ssl.bundle.pem.podguard.keystore." + which);
        if (location == null || !location.startsWith("file:")) {
            return null;
        }
        return java.nio.file.Path.of(location.substring("file:".length()));
    }

    @Bean
    ShutdownDrain shutdownDrain(PodguardProperties properties, Readiness readiness) {
        return new ShutdownDrain(properties.shutdownDrainDelay(), readiness);
    }

    /**
     * Sample reviews of the apiserver's shapes judged as podguard starts, so that the JIT compiles the
     * request path for them ({@code podguard.warm-up-rounds} rounds of three reviews; 0: none).
     */
    @Bean
    ReviewWarmUp reviewWarmUp(Engine engine, PolicyStore policies,
                              @Value("${podguard.warm-up-rounds:" + ReviewWarmUp.DEFAULT_ROUNDS + "}") int rounds) {
        ReviewWarmUp warmUp = ReviewWarmUp.of(engine, policies.current().policy(), rounds);
        warmUp.start();
        return warmUp;
    }

    @Bean(destroyMethod = "close")
    Evaluations evaluations(PodguardProperties properties) {
        // Under overload reviews wait in arrival order, so no review waits out its deadline
        // while later ones overtake it.
        return new Evaluations(properties.maxConcurrentReviews());
    }

    @Bean
    MemoryBudget memoryBudget(PodguardProperties properties, MeterRegistry registry) {
        MemoryBudget budget = new MemoryBudget(properties.memoryBudget().toBytes());
        Gauge.builder(MetricNames.ADMISSION_MEMORY_BUDGET, budget, MemoryBudget::capacity).tag("state", "capacity")
                .description("Heap reviews in flight may hold (capacity) and hold now (in_use)").register(registry);
        Gauge.builder(MetricNames.ADMISSION_MEMORY_BUDGET, budget, MemoryBudget::inUse).tag("state", "in_use")
                .description("Heap reviews in flight may hold (capacity) and hold now (in_use)").register(registry);
        long heap = Runtime.getRuntime().maxMemory();
        LOG.info("reviews: bodies up to {} bytes, {} MiB of memory budget (max heap {} MiB), {} evaluated at once, head and body deadlines {} and {}",
                properties.maxReviewBytes().toBytes(), budget.capacity() >> 20, heap >> 20, properties.maxConcurrentReviews(),
                properties.headTimeout(), properties.bodyTimeout());
        if (budget.capacity() > heap / 2) {
            LOG.warn("podguard.memory-budget ({} MiB) is over half the maximum heap ({} MiB): reviews in flight may run the JVM out of memory",
                    budget.capacity() >> 20, heap >> 20);
        }
        return budget;
    }

    @Bean
    Refusals refusals(MeterRegistry registry) {
        return new Refusals(registry);
    }

    @Bean
    RequestDeadlines requestDeadlines(PodguardProperties properties) {
        return new RequestDeadlines(properties.headTimeout(), properties.bodyTimeout(), System::nanoTime);
    }

    @Bean
    WebhookServlet.Server webhookServer(MemoryBudget budget, Evaluations evaluations, Refusals refusals, RequestDeadlines deadlines,
                                        PodguardProperties properties) {
        ClientNames clients = new ClientNames(properties.tls().clientNames());
        if (clients.restricts() && properties.tls().clientCaFile() == null) {
            throw new IllegalStateException("podguard.tls.client-names needs a client CA (--client-ca): without mutual TLS no client has a certificate");
        }
        return new WebhookServlet.Server(budget, evaluations, refusals, clients, deadlines,
                Math.toIntExact(properties.maxReviewBytes().toBytes()), properties.defaultTimeout());
    }

    @Bean
    ServletRegistrationBean<WebhookServlet> mutateServlet(AdmissionHandler handler, WebhookServlet.Server server) {
        return registration(Endpoint.MUTATE, handler, server);
    }

    @Bean
    ServletRegistrationBean<WebhookServlet> validateServlet(AdmissionHandler handler, WebhookServlet.Server server) {
        return registration(Endpoint.VALIDATE, handler, server);
    }

    /**
     * {@code /namespaces/ID}: one webhook per {@link NamespaceHandler} bean, each with its own
     * webhook configuration (so its own failurePolicy), all through the same server limits.
     */
    @Bean
    ServletRegistrationBean<WebhookServlet> namespaceServlet(ObjectProvider<NamespaceHandler> handlers, WebhookServlet.Server server) {
        Map<String, NamespaceHandler> byPath = new LinkedHashMap<>();
        handlers.orderedStream().filter(Objects::nonNull).forEach(h -> byPath.put("/" + h.id(), h));
        if (!byPath.isEmpty()) {
            LOG.info("Namespace webhooks: {}", byPath.keySet().stream().map(p -> "/namespaces" + p).toList());
        }
        Function<@Nullable String, WebhookServlet.@Nullable Reviewer> reviewers = pathInfo -> {
            NamespaceHandler handler = pathInfo == null ? null : byPath.get(pathInfo);
            return handler == null ? null : body -> NamespaceHandler.handle(handler, body);
        };
        ServletRegistrationBean<WebhookServlet> bean = new ServletRegistrationBean<>(
                new WebhookServlet("/namespaces", reviewers, server), "/namespaces/*");
        bean.setName("namespaceWebhooks");
        return bean;
    }

    /**
     * Every path of the webhook port that no webhook serves ({@code /foo}, {@code /validate/})
     * answers 404 with one line, as every other refusal, and is counted: not the JSON error body
     * of Spring's dispatcher, which would otherwise have it.
     */
    @Bean
    FilterRegistrationBean<Filter> unknownPaths(WebhookServlet.Server server, org.springframework.core.env.Environment environment) {
        WebhookServlet nowhere = new WebhookServlet("/", pathInfo -> null, server);
        Filter filter = (request, response, chain) -> {
            if (request instanceof HttpServletRequest req && response instanceof HttpServletResponse resp
                    && !(req.getHttpServletMapping().getServletName() instanceof String name && WEBHOOK_SERVLETS.contains(name))) {
                nowhere.notFound(req, resp);
            } else {
                chain.doFilter(request, response);
            }
        };
        FilterRegistrationBean<Filter> bean = new FilterRegistrationBean<>(filter, new ServletRegistrationBean[0]);
        bean.addUrlPatterns("/*");
        bean.setDispatcherTypes(jakarta.servlet.DispatcherType.REQUEST);
        bean.setOrder(org.springframework.core.Ordered.HIGHEST_PRECEDENCE);
        bean.setName("unknownPaths");
        // A management port set to the webhook port's own number serves the actuator through
        // Spring's dispatcher on this port: its paths are then not unknown.
        bean.setEnabled(org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType.get(environment)
                != org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType.SAME);
        return bean;
    }

    /** The names of the servlets that serve the webhook port's paths; {@link #unknownPaths} answers the rest. */
    private static final Set<String> WEBHOOK_SERVLETS = Set.of(Endpoint.MUTATE.id() + "Webhook", Endpoint.VALIDATE.id() + "Webhook", "namespaceWebhooks");

    /** The opt-out label's guard, when an opt-out label is configured. */
    @Bean
    NamespaceHandler optOutLabelGuard(PodguardProperties properties) {
        PodguardProperties.Webhooks webhooks = properties.webhooks();
        if (webhooks.optOutLabel().isEmpty()) {
            return null;
        }
        LOG.info("opt-out label {}=true: allowed on namespaces {} only", webhooks.optOutLabel(), webhooks.optOutNamespaces());
        return new OptOutLabelGuard(webhooks.optOutLabel(), Set.copyOf(webhooks.optOutNamespaces()));
    }

    private static ServletRegistrationBean<WebhookServlet> registration(Endpoint endpoint, AdmissionHandler handler,
                                                                       WebhookServlet.Server server) {
        String path = "/" + endpoint.id();
        ServletRegistrationBean<WebhookServlet> bean = new ServletRegistrationBean<>(
                WebhookServlet.of(path, body -> handler.handle(endpoint, body), server), path);
        bean.setName(endpoint.id() + "Webhook");
        return bean;
    }

    @Bean
    ProbeEndpoints.Livez livezEndpoint(org.springframework.boot.availability.ApplicationAvailability availability) {
        return new ProbeEndpoints.Livez(availability);
    }

    @Bean
    ProbeEndpoints.Readyz readyzEndpoint(org.springframework.boot.availability.ApplicationAvailability availability, Readiness readiness) {
        return new ProbeEndpoints.Readyz(availability, readiness);
    }

    /**
     * The webhook connector: the apiserver keeps up to 25 idle connections per webhook for 90 s,
     * so never close a connection after N requests (each reconnect costs a TLS handshake) and keep
     * idle ones longer; total deadlines for a request's head and body ({@link DeadlineNioProtocol});
     * a refused body is not swallowed.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> connectorCustomizer(RequestDeadlines deadlines, Refusals refusals) {
        return factory -> {
            factory.setProtocol(DeadlineNioProtocol.class.getName());
            factory.addConnectorCustomizers(connector -> {
                if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> http) {
                    http.setMaxKeepAliveRequests(-1);
                    http.setKeepAliveTimeout(120_000);
                    http.setMaxSwallowSize(64 * 1024);
                }
                if (connector.getProtocolHandler() instanceof DeadlineNioProtocol protocol) {
                    protocol.deadlines(deadlines, body -> {
                        if (body) {
                            refusals.refused(Refusals.Reason.BODY_TIMEOUT, 0, "connection", "request body took over "
                                    + deadlines.bodyTimeout().toMillis() + " ms: closed");
                        } else {
                            refusals.refused(Refusals.Reason.HEAD_TIMEOUT, 0, "connection", "TLS handshake and request head took over "
                                    + deadlines.headTimeout().toMillis() + " ms: closed");
                        }
                    });
                }
            });
        };
    }
}
