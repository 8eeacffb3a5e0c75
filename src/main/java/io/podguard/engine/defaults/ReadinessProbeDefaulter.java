package io.podguard.engine.defaults;


/**
 * {@code readinessProbe}: a {@code tcpSocket} readiness probe on the first TCP port of containers
 * and sidecar init containers that declare a port and have no readiness probe, so a pod that
 * listens receives traffic only once it accepts connections. See {@link TcpProbes}.
 */
final class ReadinessProbeDefaulter implements Defaulter {

    static final String ID = "readinessProbe";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String optOutName() {
        return "probes";
    }

    @Override
    public boolean isEnabled(DefaultsConfig config) {
        return config.readinessProbe().isEnabled();
    }

    @Override
    public void apply(DefaultingContext context) {
        TcpProbes.apply(context, ID, "readinessProbe", context.config().readinessProbe());
    }
}
