package io.podguard.cli;

import io.podguard.admission.AdmissionHandler;
import io.podguard.admission.BadReviewException;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.policy.PolicyResolver;
import io.podguard.report.ReviewObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * One AdmissionReview on standard input, its response on standard output, through exactly the
 * server's code path ({@link AdmissionHandler}). Exit 2 with a one-line message on bad input.
 */
@Command(name = "review", mixinStandardHelpOptions = true,
        description = "Answer one AdmissionReview from standard input, as the server would.")
public final class ReviewCommand implements Callable<Integer> {

    @Mixin
    PolicyOption policy;

    @Option(names = "--endpoint", paramLabel = "mutate|validate", description = "Which webhook answers (default: validate).")
    String endpoint = "validate";

    InputStream in = System.in;
    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws IOException {
        Endpoint ep;
        AdmissionHandler handler;
        try {
            ep = Endpoint.parse(endpoint);
            PolicyResolver resolver = PolicyResolver.fixed(policy.load());
            handler = new AdmissionHandler(Engine.standard(), () -> resolver, ReviewObserver.NONE);
        } catch (IllegalArgumentException e) {
            err.println("podguard: " + e.getMessage());
            return 2;
        }
        byte[] body = in.readAllBytes();
        if (isBlank(body)) {
            err.println("podguard: standard input is empty: expected one AdmissionReview (JSON)");
            return 2;
        }
        try {
            byte[] response = handler.handle(ep, body);
            out.write(response);
            out.println();
            out.flush();
            return 0;
        } catch (BadReviewException e) {
            err.println("podguard: " + e.getMessage());
            return 2;
        }
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }
}
