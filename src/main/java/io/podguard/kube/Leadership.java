package io.podguard.kube;

import org.jspecify.annotations.Nullable;

/**
 * Whether this replica is the one that does the cluster-wide work (the background audit, its
 * PolicyReports, the certificate Secret's writes). Reviews never ask: every replica answers them.
 */
public interface Leadership {

    /** Told when this replica starts or stops leading, in that order, on one thread. */
    interface Listener {
        void startedLeading();

        void stoppedLeading();
    }

    /** Whether this replica leads right now; a writer asks before each write. */
    boolean isLeader();

    /** This replica's name in the election. */
    String identity();

    /** Who leads as last seen, or null when nobody holds the lease. */
    @Nullable String leader();

    /** Adds a listener; when this replica leads already, it is told so at once. */
    void addListener(Listener listener);

    /** A replica that always leads: leader election is off (one replica, or a workstation). */
    static Leadership always(String identity) {
        return new Leadership() {
            @Override
            public boolean isLeader() {
                return true;
            }

            @Override
            public String identity() {
                return identity;
            }

            @Override
            public String leader() {
                return identity;
            }

            @Override
            public void addListener(Listener listener) {
                listener.startedLeading();
            }
        };
    }
}
