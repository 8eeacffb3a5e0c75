package io.podguard.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.podguard.admission.AdmissionHandler;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.policy.PolicyStore;
import io.podguard.report.AdmissionMetrics;
import io.podguard.report.ReviewObserver;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
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

    @Bean
    Semaphore evaluationSlots(PodguardProperties properties) {
        // Fair: under overload reviews wait in arrival order, so no review waits out its deadline
        // while later ones overtake it. (Measured at 200 connections: no cost in throughput.)
        return new Semaphore(properties.maxConcurrentReviews(), true);
    }

    @Bean
    ServletRegistrationBean<WebhookServlet> mutateServlet(AdmissionHandler handler, Semaphore evaluationSlots, PodguardProperties properties) {
        return registration(Endpoint.MUTATE, handler, evaluationSlots, properties);
    }

    @Bean
    ServletRegistrationBean<WebhookServlet> validateServlet(AdmissionHandler handler, Semaphore evaluationSlots, PodguardProperties properties) {
        return registration(Endpoint.VALIDATE, handler, evaluationSlots, properties);
    }

    private static ServletRegistrationBean<WebhookServlet> registration(Endpoint endpoint, AdmissionHandler handler,
                                                                       Semaphore slots, PodguardProperties properties) {
        ServletRegistrationBean<WebhookServlet> bean = new ServletRegistrationBean<>(
                new WebhookServlet(endpoint, handler, slots, properties.defaultTimeout()), "/" + endpoint.id());
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
     * The apiserver keeps up to 25 idle connections per webhook for 90 s: never close a
     * connection after N requests (each reconnect costs a TLS handshake), keep idle ones longer.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> keepAliveCustomizer() {
        return factory -> factory.addConnectorCustomizers(connector -> {
            if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> http) {
                http.setMaxKeepAliveRequests(-1);
                http.setKeepAliveTimeout(120_000);
                http.setMaxSwallowSize(4 * 1024 * 1024);
            }
        });
    }
}
