package io.podguard.engine.defaults;


/**
 * {@code livenessProbe}, off by default: a {@code tcpSocket} liveness probe on the first TCP port
 * of containers and sidecars that declare a port and have no liveness probe. Off because a
 * liveness probe restarts containers: a wrong one (a slow start, a port that opens late) turns a
 * healthy pod into a crash loop, so it is a choice for the platform, not a silent default.
 * See {@link TcpProbes}.
 */
final class LivenessProbeDefaulter implements Defaulter {

    static final String ID = "livenessProbe";

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
        return config.livenessProbe().isEnabled();
    }

    @Override
    public void apply(DefaultingContext context) {
        TcpProbes.apply(context, ID, "livenessProbe", context.config().livenessProbe());
    }
}
