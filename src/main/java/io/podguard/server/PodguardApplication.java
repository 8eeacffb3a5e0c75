package io.podguard.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Spring Boot wiring only: the engine knows nothing of it. */
@SpringBootApplication
public class PodguardApplication {

    /**
     * The server's Spring application, as {@code serve} starts it. Named as its own main class so
     * that with {@code -Dspring.aot.enabled=true} Spring finds the bean definitions the build
     * generated for this class ({@code PodguardApplication__ApplicationContextInitializer}).
     */
    public static SpringApplication application() {
        SpringApplication app = new SpringApplication(PodguardApplication.class);
        app.setMainApplicationClass(PodguardApplication.class);
        return app;
    }

    /**
     * The application context as {@code serve} builds it, for Spring's ahead-of-time processing at
     * build time ({@code spring-boot:process-aot}); users start podguard with {@code podguard serve}.
     */
    public static void main(String[] args) {
        application().run(args);
    }
}
