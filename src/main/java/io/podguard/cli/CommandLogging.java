package io.podguard.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.OutputStream;
import org.slf4j.LoggerFactory;

/**
 * Log lines of the libraries a command uses, as the command line speaks: warnings and errors only,
 * one line each on standard error ({@code podguard: warning: sh: 1: gke-gcloud-auth-plugin: not
 * found}), never a stack trace. Without it, logback's default prints every debug line and fabric8's
 * warning about a kubeconfig exec plugin that failed comes with sixty lines of stack trace.
 * Commands that talk to a cluster set it up; the server keeps Spring Boot's logging.
 */
public final class CommandLogging {

    private CommandLogging() {
    }

    /** Sends warnings and errors of every logger to {@code err}, one line each; drops the rest. */
    public static void oneLineWarnings(OutputStream err) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J binding: leave it as it is configured
        }
        context.reset();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        // the message's first line only (an error's output may follow it on the next lines), no exception
        encoder.setPattern("podguard: %replace(%replace(%level){'WARN', 'warning'}){'ERROR', 'error'}: %replace(%msg){'(?s)[\\r\\n].*', ''}%n%nopex");
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setOutputStream(err);
        appender.setImmediateFlush(true);
        appender.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(appender);
    }
}
