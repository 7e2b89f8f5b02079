package io.zeroframe.bindings;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.zeroframe.bindings.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * One wait for many sources: a single {@code poll(2)} over any set of {@link Pollable} Zeroframe objects (V4L2
 * queues and events, DRM events, sync_files, dma-buf idle states) plus this poller's own wake-up eventfd.
 *
 * {@snippet :
 * try (Poller poller = Poller.open()) {
 *     int frames = poller.register(captureQueue);        // POLLIN: a buffer to dequeue
 *     int display = poller.register(card.events());      // POLLIN: a page-flip event
 *     while (running) {
 *         poller.await(ChronoUnit.FOREVER.getDuration());
 *         if (poller.closed(frames)) { break; }           // the queue was closed meanwhile
 *         if (poller.ready(frames)) { captureQueue.dequeue(0); }
 *         if (poller.ready(display)) { card.events().read(event, 0); }
 *     }
 * }
 * }
 *
 * <p><b>Closing sources meanwhile.</b> For the length of a wait the poller holds every source's fd in use
 * ({@link OwnedFd#beginUse}), so a source closed by another thread keeps its fd number until the poll has
 * returned: the poll never reaches a recycled number. Each source's {@linkplain OwnedFd#wakeFd() wake eventfd}
 * is in the poll set too, so that close wakes the wait, and the source is then reported {@link #closed}. A source
 * already closed when a wait begins is reported closed at once (the others are looked at without blocking).
 * Unregister a closed source; it stays reported closed until then.
 *
 * <p><b>Allocation.</b> {@link #await} allocates nothing: the {@code struct pollfd} array (two entries per
 * source, one for the poller's eventfd) and the results are this poller's, made by {@link #register}; the first
 * wait on a source may create its wake eventfd (the owners of the Zeroframe types make theirs up front).
 *
 * <p><b>Threads.</b> {@link #register}, {@link #unregister}, {@link #await} and the result accessors are for one
 * thread at a time (the loop's); {@link #wakeup()} and {@link #close()} may be called from any thread at any time,
 * and wake a wait in progress.
 */
public final class Poller implements AutoCloseable {
    private static final String OPERATION = "poll (Poller)";
    private static final long POLLFD_SIZE = Syscalls.POLLFD.byteSize();
    private static final long FD = Syscalls.POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("fd"));
    private static final long EVENTS = Syscalls.POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("events"));
    private static final long REVENTS = Syscalls.POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("revents"));
    private static final short ALWAYS = (short) (Syscalls.POLLERR | Syscalls.POLLHUP | Syscalls.POLLNVAL);
    private static final VarHandle AWAITING;

    static {
        try {
            AWAITING = MethodHandles.lookup().findVarHandle(Poller.class, "awaiting", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The poller's own eventfd: {@link #wakeup()} and {@link #close()} make it readable. */
    private final OwnedFd wake;
    /** Where a wait drains the eventfd's counter. */
    private final MemorySegment counter;
    private Pollable[] sources = new Pollable[0];
    /** The fds held in use during a wait, by key; null for a free key or a source found closed. */
    private OwnedFd[] held = new OwnedFd[0];
    private short[] revents = new short[0];
    /** The events each source was polled for in the last wait. */
    private short[] events = new short[0];
    private boolean[] closed = new boolean[0];
    /** {@code struct pollfd}s: the eventfd, then per key its source's fd and that fd's wake eventfd. */
    private MemorySegment pollFds;
    private int registered;
    private boolean wokenUp;
    private volatile boolean awaiting;
    /** Set by {@link #close()} before it wakes the wait, so that wait throws rather than returning. */
    private volatile boolean closing;

    private Poller(OwnedFd wake) {
        this.wake = wake;
        Arena arena = Arena.ofAuto(); // a wait in flight may outlive close()
        this.counter = arena.allocate(Long.BYTES, Long.BYTES);
        this.pollFds = arena.allocate(Syscalls.POLLFD, 1);
    }

    /**
     * A poller with no sources; its wake-up is a new eventfd.
     *
     * @throws KernelException EMFILE when the process is out of fds
     */
    public static Poller open() throws KernelException {
        return new Poller(OwnedFd.adopt(Syscalls.eventfd(), "eventfd (Poller wake-up)"));
    }

    /**
     * Adds {@code source} to the set waited on; the same object may be registered more than once (each key is
     * reported on its own). Allocates when the set grows beyond what it held before.
     *
     * @return the key that {@link #ready}, {@link #closed}, {@link #revents} and {@link #unregister} take
     * @throws IllegalStateException during a wait, or once closed
     */
    public int register(Pollable source) {
        Objects.requireNonNull(source, "source");
        checkIdle("register");
        int key = 0;
        while (key < sources.length && sources[key] != null) {
            key++;
        }
        if (key == sources.length) {
            int capacity = Math.max(4, sources.length * 2);
            sources = Arrays.copyOf(sources, capacity);
            held = Arrays.copyOf(held, capacity);
            revents = Arrays.copyOf(revents, capacity);
            events = Arrays.copyOf(events, capacity);
            closed = Arrays.copyOf(closed, capacity);
            pollFds = Arena.ofAuto().allocate(Syscalls.POLLFD, 1 + 2L * capacity);
        }
        sources[key] = source;
        revents[key] = 0;
        closed[key] = false;
        registered++;
        return key;
    }

    /**
     * Removes the source registered under {@code key}; the key may be handed out again. The source itself is not
     * closed.
     *
     * @throws IllegalArgumentException if nothing is registered under {@code key}
     * @throws IllegalStateException during a wait, or once closed
     */
    public void unregister(int key) {
        checkIdle("unregister");
        checkKey(key);
        sources[key] = null;
        revents[key] = 0;
        closed[key] = false;
        registered--;
    }

    /** How many sources are registered. */
    public int size() {
        return registered;
    }

    /**
     * Waits in one {@code poll} until a registered source is ready or closed, {@link #wakeup()} is called, or
     * {@code timeout} passes; then {@link #ready}, {@link #closed}, {@link #revents} and {@link #wokenUp()} tell
     * what happened, until the next wait. EINTR is retried with the time left. Allocates nothing.
     *
     * @param timeout {@link Duration#ZERO} to look without waiting; rounded up to whole milliseconds;
     *                {@code ChronoUnit.FOREVER.getDuration()} (or anything beyond 24 days) waits forever
     * @return how many sources are ready or closed (0 after a timeout or a bare wake-up)
     * @throws FdClosedException if the poller was closed before or during the wait
     * @throws IllegalStateException if another thread is waiting on this poller
     * @throws KernelException a failing {@code poll}; EMFILE creating a source's wake eventfd
     */
    public int await(Duration timeout) throws KernelException {
        int millis = Syscalls.timeoutMillis(timeout);
        if (!AWAITING.compareAndSet(this, false, true)) {
            throw new IllegalStateException("another thread is waiting on this Poller");
        }
        try {
            int raw = wake.beginUse(OPERATION);
            try {
                return pollOnce(raw, millis);
            } finally {
                wake.endUse();
            }
        } finally {
            awaiting = false;
        }
    }

    private int pollOnce(int raw, int millis) throws KernelException {
        MemorySegment set = pollFds;
        entry(set, 0, raw, Syscalls.POLLIN);
        int count = 0;
        int capacity = sources.length;
        try {
            for (int key = 0; key < capacity; key++) {
                revents[key] = 0;
                closed[key] = false;
                Pollable source = sources[key];
                PollSource polled = source == null ? null : source.pollSource();
                int fd = polled == null ? -1 : holdOpen(polled.fd());
                if (fd < 0) {
                    closed[key] = source != null;
                    entry(set, 1 + 2 * key, -1, (short) 0);
                    entry(set, 2 + 2 * key, -1, (short) 0);
                    continue;
                }
                held[key] = polled.fd();
                events[key] = polled.events();
                entry(set, 1 + 2 * key, fd, polled.events());
                entry(set, 2 + 2 * key, polled.fd().wakeFd(), Syscalls.POLLIN);
                if (!polled.fd().isOpen()) { // closed while its wake eventfd was being made
                    closed[key] = true;
                }
            }
            for (int key = 0; key < capacity; key++) {
                if (closed[key]) {
                    millis = 0;
                    break;
                }
            }
            Syscalls.poll(set, 1 + 2 * capacity, millis);
            wokenUp = set.get(JAVA_SHORT, REVENTS) != 0;
            if (wokenUp && wake.isOpen()) {
                try {
                    Syscalls.read(wake, counter); // back to 0: the next wait blocks again
                } catch (FdClosedException e) {
                    // closed meanwhile: reported below
                }
            }
            for (int key = 0; key < capacity; key++) {
                OwnedFd fd = held[key];
                if (fd != null && (set.get(JAVA_SHORT, (2 + 2L * key) * POLLFD_SIZE + REVENTS) != 0 || !fd.isOpen())) {
                    closed[key] = true;
                } else if (fd != null) {
                    revents[key] = set.get(JAVA_SHORT, (1 + 2L * key) * POLLFD_SIZE + REVENTS);
                }
                if (closed[key] || revents[key] != 0) {
                    count++;
                }
            }
        } finally {
            for (int key = 0; key < capacity; key++) {
                OwnedFd fd = held[key];
                if (fd != null) {
                    held[key] = null;
                    fd.endUse();
                }
            }
        }
        if (closing || !wake.isOpen()) {
            throw new FdClosedException(OPERATION, wake.path(), "closed by another thread while waiting");
        }
        return count;
    }

    /** The raw number of {@code fd} with a use begun, or -1 if it is closed (then reported closed, not polled). */
    private static int holdOpen(OwnedFd fd) {
        if (!fd.isOpen()) {
            return -1;
        }
        try {
            return fd.beginUse(OPERATION);
        } catch (FdClosedException e) { // closed since isOpen(): rare, so the exception's allocation is fine
            return -1;
        }
    }

    private static void entry(MemorySegment set, int index, int fd, short events) {
        long offset = index * POLLFD_SIZE;
        set.set(JAVA_INT, offset + FD, fd);
        set.set(JAVA_SHORT, offset + EVENTS, events);
        set.set(JAVA_SHORT, offset + REVENTS, (short) 0);
    }

    /**
     * Whether the last wait found the source under {@code key} ready: one of its events, or {@code POLLERR} /
     * {@code POLLHUP} (an error the source's own call then reports, e.g. a V4L2 queue that is not streaming).
     * {@code false} for a closed source.
     */
    public boolean ready(int key) {
        checkKey(key);
        return (revents[key] & (events[key] | ALWAYS)) != 0;
    }

    /** Whether the source under {@code key} was closed before or during the last wait. */
    public boolean closed(int key) {
        checkKey(key);
        return closed[key];
    }

    /** The {@code revents} the last wait's {@code poll} reported for the source under {@code key}; 0 if closed. */
    public short revents(int key) {
        checkKey(key);
        return revents[key];
    }

    /** Whether the last wait was ended (or found pending) a {@link #wakeup()}. */
    public boolean wokenUp() {
        return wokenUp;
    }

    /**
     * Makes the current wait return, or the next one if none is in progress (wake-ups before a wait are
     * coalesced into one). Callable from any thread; does nothing once closed. Allocates nothing.
     */
    public void wakeup() {
        signal();
    }

    /**
     * Closes the poller's eventfd, waking a wait in progress (it throws {@link FdClosedException}); later calls do
     * nothing. The registered sources are not closed. Callable from any thread.
     */
    @Override
    public void close() {
        closing = true; // before the signal: a wait it wakes must see it, even before wake.close() below runs
        signal();
        wake.close();
    }

    private void signal() {
        if (!wake.isOpen()) {
            return;
        }
        int raw;
        try {
            raw = wake.beginUse("eventfd_write (Poller wake-up)");
        } catch (FdClosedException e) { // closed since isOpen()
            return;
        }
        try {
            Syscalls.eventfdSignal(raw);
        } finally {
            wake.endUse();
        }
    }

    private void checkIdle(String operation) {
        if (awaiting) {
            throw new IllegalStateException(operation + " during a wait: the Poller is used by one thread at a time");
        }
        if (!wake.isOpen()) {
            throw new IllegalStateException(operation + " on a closed Poller");
        }
    }

    private void checkKey(int key) {
        if (key < 0 || key >= sources.length || sources[key] == null) {
            throw new IllegalArgumentException("no source is registered under key " + key);
        }
    }

    @Override
    public String toString() {
        return "Poller[" + registered + " source(s)" + (wake.isOpen() ? "" : ", closed") + "]";
    }
}
