package dev.stompbox.client.internal;

import dev.stompbox.protocol.internal.engine.Outbound;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes what the engine queued, in the engine's order, from whichever thread gets there first:
 * a caller writes its own frames (and whatever was queued before them), the writer thread what no
 * caller writes (heart-beats, CONNECT, a reconnect's replay). The engine's lock is never held while
 * writing; the write lock is, so one thread writes at a time.
 */
final class WritePump {
    private static final Logger log = LoggerFactory.getLogger("dev.stompbox.client.StompClient");
    private static final int BATCH = 256;

    private final EngineRunner runner;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final List<Outbound> batch = new ArrayList<>(); // guarded by writeLock
    private final ExecutorService writer;
    private final AtomicBoolean kicked = new AtomicBoolean();

    WritePump(EngineRunner runner, ThreadFactory writerThread) {
        this.runner = runner;
        this.writer = Executors.newSingleThreadExecutor(writerThread);
    }

    /** Has the writer thread write what is queued; for threads that must never block on a socket. */
    void kick() {
        if (kicked.compareAndSet(false, true)) {
            try {
                writer.execute(() -> {
                    kicked.set(false);
                    flush();
                });
            } catch (RejectedExecutionException e) {
                kicked.set(false); // closed: nothing more is written
            }
        }
    }

    /**
     * Writes what the engine queued, unless another thread is at it (it then writes what was
     * queued meanwhile too: it looks again after letting go).
     *
     * @return the failure of a write made on this thread, or {@code null}
     */
    IOException flush() {
        IOException failed = null;
        while (true) {
            if (!writeLock.tryLock()) {
                return failed;
            }
            try {
                IOException f = drain();
                failed = failed != null ? failed : f;
            } finally {
                writeLock.unlock();
            }
            if (!runner.writesQueued()) {
                return failed;
            }
        }
    }

    private IOException drain() {
        while (true) {
            Transport t = runner.takeWrites(batch, BATCH);
            if (batch.isEmpty()) {
                return null;
            }
            int written = 0;
            IOException failed = null;
            try {
                for (Outbound o : batch) {
                    if (t == null || o.conn() != t.conn()) {
                        break;
                    }
                    if (!o.isHeartBeat() && log.isDebugEnabled()) {
                        log.debug(">>> {}", o.frame().info());
                    }
                    t.write(o);
                    written++;
                }
                if (t != null) {
                    t.flush();
                }
            } catch (IOException e) {
                failed = e;
                written = 0; // nothing in the buffer is known to have left
            }
            runner.writesDone(batch, written, failed);
            batch.clear();
            if (failed != null) {
                return failed;
            }
        }
    }

    void shutdown() {
        writer.shutdownNow();
    }
}
