package io.podguard.server;

import io.podguard.policy.Policy;
import io.podguard.policy.PolicyException;
import io.podguard.policy.PolicyFiles;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyStore;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Follows the policy file as a ConfigMap volume updates it. The kubelet never rewrites the file:
 * it writes a new timestamped directory, points a {@code ..data_tmp} symlink at it and renames
 * that over {@code ..data}, through which the file's own symlink resolves. So the DIRECTORY is
 * watched (any event in it), then the file is read again through its path and compared with
 * what was last read; a poll at {@code interval} catches what a watch can miss (network or
 * overlay filesystems, a directory replaced whole).
 *
 * <p>A reload reads the file exactly as start-up does (same size limits, same file references).
 * A new policy is validated before it is put in force; a broken one is refused with every
 * error logged, the last good policy stays. A file that disappears or cannot be read also leaves
 * the last good policy in force: readiness stays true, because a policy is in force.
 */
final class PolicyFileWatcher implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyFileWatcher.class);
    /** Events come in bursts (create dir, symlink, rename, remove old); wait for the burst to end. */
    private static final long SETTLE_MILLIS = 100;

    private final Path file;
    private final PolicyStore store;
    private final PolicyMetrics metrics;
    private final Duration interval;
    private final Consumer<Policy> onNewPolicy;
    private volatile @Nullable Thread thread;
    private volatile @Nullable WatchService watcher;
    /**
     * What the last load read (good or bad): a poll reads the same files again and loads only when
     * their bytes changed, so an unchanged policy is not parsed and compiled again on every poll
     * (a policy of 2,000 CEL rules takes seconds of CPU), nor a refused one refused again.
     */
    private PolicyFiles.@Nullable Snapshot last;
    private boolean lastReadFailed;
    /** How many polls loaded the file (parsed and validated it), for tests. */
    int loads;

    /**
     * @param initial what the initial load read ({@link PolicyFiles#snapshot()}), so the first poll
     *                does not load it again; null: the first poll loads the file
     */
    PolicyFileWatcher(Path file, PolicyFiles.@Nullable Snapshot initial, PolicyStore store, PolicyMetrics metrics, Duration interval,
                      Consumer<Policy> onNewPolicy) {
        this.file = file.toAbsolutePath();
        this.last = initial;
        this.store = store;
        this.metrics = metrics;
        this.interval = interval;
        this.onNewPolicy = onNewPolicy;
    }

    @Override
    public synchronized void start() {
        Thread t = Thread.ofPlatform().daemon().name("policy-file-watcher").unstarted(this::run);
        thread = t;
        t.start();
        LOG.info("following policy file {} (directory watch, poll every {}s)", file, interval.toSeconds());
    }

    @Override
    public synchronized void stop() {
        Thread t = thread;
        thread = null;
        WatchService w = watcher;
        watcher = null; // a restarted watcher (a paused context resumed) opens a new one
        if (w != null) {
            try {
                w.close();
            } catch (IOException ignored) {
                // closing only wakes the thread up
            }
        }
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return thread != null;
    }

    private void run() {
        WatchKey key = null;
        while (thread == Thread.currentThread()) {
            try {
                if (key == null || !key.isValid()) {
                    key = register();
                }
                WatchService w = watcher;
                WatchKey signalled = w == null ? null : w.poll(interval.toMillis(), TimeUnit.MILLISECONDS);
                if (signalled != null) {
                    Thread.sleep(SETTLE_MILLIS);
                    signalled.pollEvents();
                    signalled.reset();
                    WatchKey more;
                    while (w != null && (more = w.poll()) != null) {
                        more.pollEvents();
                        more.reset();
                    }
                } else if (w == null) {
                    Thread.sleep(interval.toMillis());
                }
                check();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("policy file watcher: {}", e.toString());
            }
        }
    }

    private @Nullable WatchKey register() {
        Path dir = file.getParent();
        try {
            WatchService w = watcher;
            if (w == null) {
                w = FileSystems.getDefault().newWatchService();
                watcher = w;
            }
            return dir.register(w, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException e) {
            LOG.warn("cannot watch {} ({}); polling every {}s", dir, e.toString(), interval.toSeconds());
            return null;
        }
    }

    /**
     * Loads the file again exactly as start-up does ({@link PolicyLoader#load(PolicyFiles)}: the
     * same size limits, the same confined file references), and puts a changed, valid policy in
     * force. "Changed" is judged on everything the load read, referenced files included: those
     * files are read again first ({@link PolicyFiles.Snapshot#unchanged}), and the same bytes load
     * nothing.
     */
    synchronized void check() {
        PolicyFiles.Snapshot before = last;
        if (before != null && before.unchanged(file)) {
            return;
        }
        loads++;
        PolicyFiles files = new PolicyFiles(file);
        Policy policy = null;
        PolicyException invalid = null;
        try {
            policy = PolicyLoader.load(files);
        } catch (NoSuchFileException e) {
            readFailed("policy file " + file + " is gone");
            return;
        } catch (IOException e) {
            readFailed("policy file " + file + " cannot be read: " + e.getMessage());
            return;
        } catch (PolicyException e) {
            invalid = e;
        }
        lastReadFailed = false;
        PolicyFiles.Snapshot read = files.snapshot();
        last = read;
        if (read.equals(before)) {
            // changed and changed back between the two readings
            return;
        }
        if (invalid != null) {
            metrics.reloadFailed();
            LOG.error("policy file {} changed but is invalid; the last good policy stays in force. {} error(s):", file, invalid.errors().size());
            for (String error : invalid.errors()) {
                LOG.error("  {}", error);
            }
            return;
        }
        try {
            store.replace(policy, file.toString());
        } catch (RuntimeException e) {
            metrics.reloadFailed();
            LOG.error("policy file {} changed but cannot be put in force ({}); the last good policy stays", file, e.toString());
            return;
        }
        metrics.loaded(true);
        onNewPolicy.accept(policy);
        LOG.info("policy reloaded from {}", file);
    }

    private void readFailed(String why) {
        if (!lastReadFailed) {
            lastReadFailed = true;
            last = null; // the same content coming back is a change
            metrics.reloadFailed();
            LOG.warn("{}; the last good policy stays in force", why);
        }
    }
}
