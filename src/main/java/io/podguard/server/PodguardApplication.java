package io.podguard.server;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Spring Boot wiring only: the engine knows nothing of it. */
@SpringBootApplication
public class PodguardApplication {
}
