package io.podguard.bench.trivial;

import java.nio.charset.StandardCharsets;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The ceiling of the stack: parses the review as a Jackson tree and allows it, nothing else.
 * Same TLS, same keep-alive settings as podguard (see application.yaml).
 */
@SpringBootApplication
@RestController
public class TrivialEndpoint {

    private final JsonMapper mapper;

    public TrivialEndpoint(JsonMapper mapper) {
        this.mapper = mapper;
    }

    public static void main(String[] args) {
        SpringApplication.run(TrivialEndpoint.class, args);
    }

    @PostMapping(path = {"/validate", "/mutate"}, produces = MediaType.APPLICATION_JSON_VALUE)
    public byte[] review(@RequestBody byte[] body) {
        JsonNode review = mapper.readTree(body);
        String uid = review.path("request").path("uid").asString("");
        return ("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":{\"uid\":\""
                + uid + "\",\"allowed\":true}}").getBytes(StandardCharsets.UTF_8);
    }
}
