package dev.stompbox.async;

import dev.stompbox.async.internal.HandlerPool;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads that many {@link AsyncStompClient}s share (Lettuce's {@code ClientResources} idea): an
 * event loop group, on which each client runs its connection and its timers, and an executor for
 * handlers. Without it every client starts a one-thread event loop and a small handler pool of its
 * own, which suits a few clients; an application with many connections shares one of these.
 *
 * <p>A client never shuts down shared resources: {@link #close()} does, once the clients using
 * them are closed. What was handed in through the builder is the caller's and is not shut down.
 * Thread-safe.
 *
 * <pre>{@code
 * try (AsyncStompResources shared = AsyncStompResources.builder().eventLoopThreads(2).build()) {
 *     AsyncStompClient a = AsyncStompClient.create(AsyncStompClientConfig.builder(uriA).resources(shared).build());
 *     AsyncStompClient b = AsyncStompClient.create(AsyncStompClientConfig.builder(uriB).resources(shared).build());
 *     ...
 *     a.close();
 *     b.close();
 * }
 * }</pre>
 */
public final class AsyncStompResources implements AutoCloseable {
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final EventLoopGroup group;
    private final boolean ownGroup;
    private final Executor executor;
    private final ExecutorService ownExecutor;

    private AsyncStompResources(Builder b) {
        int instance = INSTANCES.incrementAndGet();
        if (b.group != null) {
            group = b.group;
            ownGroup = false;
        } else {
            group = new MultiThreadIoEventLoopGroup(b.eventLoopThreads,
                    daemons("stompbox-async-resources-" + instance + "-loop-"), NioIoHandler.newFactory());
            ownGroup = true;
        }
        if (b.executor != null) {
            executor = b.executor;
            ownExecutor = null;
        } else {
            ThreadPoolExecutor pool = handlerPool(b.handlerThreads, b.handlerQueue,
                    daemons("stompbox-async-resources-" + instance + "-handler-"));
            executor = pool;
            ownExecutor = pool;
        }
    }

    /**
     * Resources with the defaults: an event loop thread per two cores (at least one), and up to 256
     * handler threads, made when handlers run and gone after a minute idle (size it to the handlers
     * your clients let run at once: fewer threads cap their concurrency).
     */
    public static AsyncStompResources create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The group the clients' connections and timers run on. */
    public EventLoopGroup eventLoopGroup() {
        return group;
    }

    /** Where the clients' handlers run unless a subscription names an executor of its own. */
    public Executor executor() {
        return executor;
    }

    /** Shuts down the threads these resources started (not those handed in); close the clients first. */
    @Override
    public void close() {
        if (ownGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        if (ownExecutor != null) {
            ownExecutor.shutdown();
        }
    }

    /** Whether the threads these resources started have all ended. */
    public boolean isTerminated() {
        return (!ownGroup || group.isTerminated()) && (ownExecutor == null || ownExecutor.isTerminated());
    }

    /** A bounded pool of daemon threads for handlers: a thread made only when none is idle, ended after a minute idle. */
    static ThreadPoolExecutor handlerPool(int threads, int queue, ThreadFactory factory) {
        return HandlerPool.create(threads, queue, factory);
    }

    /** Daemon threads named {@code prefix} and a number. */
    static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Builds {@link AsyncStompResources}. */
    public static final class Builder {
        private int eventLoopThreads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        private int handlerThreads = 256;
        private int handlerQueue = 1024;
        private EventLoopGroup group;
        private Executor executor;

        private Builder() {
        }

        /** Threads of the event loop group the resources start (default: one per two cores, at least one). */
        public Builder eventLoopThreads(int n) {
            this.eventLoopThreads = positive(n, "eventLoopThreads");
            return this;
        }

        /**
         * Most threads of the handler pool the resources start (default 256, made when needed): the
         * handlers of all clients sharing the resources that may run at once.
         */
        public Builder handlerThreads(int n) {
            this.handlerThreads = positive(n, "handlerThreads");
            return this;
        }

        /** Handler tasks that may wait for a thread (default 1024); the clients' flow control keeps them fewer. */
        public Builder handlerQueue(int n) {
            this.handlerQueue = positive(n, "handlerQueue");
            return this;
        }

        /** A group of the caller's instead of one of the resources' own; not shut down by {@link #close()}. */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.group = Objects.requireNonNull(group, "group");
            return this;
        }

        /** An executor of the caller's for handlers; not shut down by {@link #close()}. */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        public AsyncStompResources build() {
            return new AsyncStompResources(this);
        }

        private static int positive(int n, String name) {
            if (n < 1) {
                throw new IllegalArgumentException(name + " must be at least 1: " + n);
            }
            return n;
        }
    }
}
