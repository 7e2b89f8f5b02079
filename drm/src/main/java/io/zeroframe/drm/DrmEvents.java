package io.zeroframe.drm;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.PollSource;
import io.zeroframe.bindings.Pollable;
import io.zeroframe.bindings.drm.drm_h;
import io.zeroframe.bindings.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The event queue of a DRM file: page-flip, vblank and CRTC-sequence events, read with {@code read(2)} on the
 * device after {@code poll} says one is there. A read returns as many whole events as fit in this queue's 4 KiB
 * buffer; {@link #read} hands them out one by one.
 *
 * <p>{@link #read} allocates nothing: the buffer is this queue's, the event is the caller's holder, the wait is
 * {@link Syscalls#waitFor}, which {@link DrmDevice#close()} from another thread wakes with
 * {@link io.zeroframe.bindings.FdClosedException}.
 *
 * {@snippet :
 * DrmEvents events = card.events();
 * DrmEvent event = new DrmEvent();                 // reused for every event
 * req.commit(EnumSet.of(CommitFlag.NONBLOCK, CommitFlag.PAGE_FLIP_EVENT), 7);
 * if (events.read(event, 1000) && event.kind() == DrmEvent.Kind.FLIP_COMPLETE) {
 *     long when = event.timestampNanos();
 * }
 * }
 *
 * <p>One reader thread at a time; {@code close()} of the device from any thread.
 *
 * <p>As a {@link Pollable} it is ready ({@code POLLIN} on the device) when the kernel holds an event; then
 * {@link #read}{@code (event, 0)} takes it. Events this object has read but not handed out yet do not make it
 * ready: read until {@code read(event, 0)} returns {@code false}, or until {@link #hasBuffered} is {@code false},
 * before waiting again. A closed device is reported closed.
 */
public final class DrmEvents implements Pollable {
    static final int BUFFER_SIZE = 4096;
    private static final String OPERATION = "read (DRM events)";
    private static final int HEADER = 8;

    private final DrmDevice device;
    private final MemorySegment buffer;
    private final PollSource pending;
    private int position;
    private int limit;

    DrmEvents(DrmDevice device) {
        this.device = device;
        this.buffer = Arena.ofAuto().allocate(BUFFER_SIZE, 8);
        this.pending = PollSource.of(device.fd(), Syscalls.POLLIN);
    }

    /**
     * Fills {@code event} with the next event, waiting up to {@code timeoutMillis} for one.
     *
     * @param timeoutMillis 0 to only take what is there, negative to wait forever
     * @return {@code false} if no event came in time
     * @throws io.zeroframe.bindings.FdClosedException if the device was closed before or during the wait
     * @throws KernelException from {@code poll} or {@code read}
     */
    public boolean read(DrmEvent event, int timeoutMillis) throws KernelException {
        long deadline = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : 0;
        while (position >= limit) {
            // the device is open O_NONBLOCK: a zero timeout reads at once (EAGAIN when nothing is there), with
            // no poll before it, so taking what poll reported costs one read(2), as libdrm's drmHandleEvent
            if (timeoutMillis != 0) {
                int wait = timeoutMillis < 0 ? timeoutMillis
                        : (int) Math.max(0, (deadline - System.nanoTime() + 999_999) / 1_000_000);
                if (Syscalls.waitFor(device.fd(), Syscalls.POLLIN, wait, OPERATION) == 0) {
                    return false;
                }
            }
            long count;
            try {
                count = Syscalls.read(device.fd(), buffer);
            } catch (KernelException e) {
                if (e.errno() == Errno.EAGAIN) { // another reader took it
                    if (timeoutMillis == 0 || (timeoutMillis > 0 && System.nanoTime() >= deadline)) {
                        return false;
                    }
                    continue;
                }
                throw device.failure(OPERATION, e.errno(), null);
            }
            position = 0;
            limit = (int) count;
        }
        position += parse(buffer, position, limit, event);
        return true;
    }

    /**
     * Whether events read from the device are still to be handed out: {@link #read}{@code (event, 0)} then returns
     * the next one without a system call. A loop woken by {@code poll} takes the events with one {@code read(2)}
     * and no second one that would find nothing:
     * {@snippet :
     * if (poller.ready(display)) {
     *     do {
     *         if (!events.read(event, 0)) break;   // one read(2): every event pending, up to 4 KiB
     *         handle(event);
     *     } while (events.hasBuffered());          // the rest of that read, no system call
     * }
     * }
     * Allocates nothing.
     */
    public boolean hasBuffered() {
        return position < limit;
    }

    /** The device's fd polled for {@code POLLIN}: an event to read. */
    @Override
    public PollSource pollSource() {
        return pending;
    }

    /**
     * Parses the event at {@code offset} of {@code data} ({@code struct drm_event} then its body) into
     * {@code event}; returns its length.
     *
     * @throws IllegalStateException for an event whose length does not fit what was read
     */
    static int parse(MemorySegment data, int offset, int limit, DrmEvent event) {
        if (limit - offset < HEADER) {
            throw new IllegalStateException("truncated DRM event: " + (limit - offset) + " bytes left");
        }
        int type = data.get(JAVA_INT_UNALIGNED, offset);
        int length = data.get(JAVA_INT_UNALIGNED, offset + 4);
        if (length < HEADER || length > limit - offset) {
            throw new IllegalStateException("DRM event of type " + type + " claims " + length + " bytes, "
                    + (limit - offset) + " were read");
        }
        event.type = type;
        event.userData = 0;
        event.sequence = 0;
        event.timestampNanos = 0;
        event.crtc = 0;
        if ((type == drm_h.DRM_EVENT_VBLANK() || type == drm_h.DRM_EVENT_FLIP_COMPLETE()) && length >= 32) {
            // struct drm_event_vblank: base, u64 user_data, u32 tv_sec, u32 tv_usec, u32 sequence, u32 crtc_id
            event.kind = type == drm_h.DRM_EVENT_VBLANK() ? DrmEvent.Kind.VBLANK : DrmEvent.Kind.FLIP_COMPLETE;
            event.userData = data.get(JAVA_LONG_UNALIGNED, offset + 8);
            long seconds = Integer.toUnsignedLong(data.get(JAVA_INT_UNALIGNED, offset + 16));
            long micros = Integer.toUnsignedLong(data.get(JAVA_INT_UNALIGNED, offset + 20));
            event.timestampNanos = seconds * 1_000_000_000L + micros * 1_000L;
            event.sequence = Integer.toUnsignedLong(data.get(JAVA_INT_UNALIGNED, offset + 24));
            event.crtc = data.get(JAVA_INT_UNALIGNED, offset + 28);
        } else if (type == drm_h.DRM_EVENT_CRTC_SEQUENCE() && length >= 32) {
            // struct drm_event_crtc_sequence: base, u64 user_data, s64 time_ns, u64 sequence
            event.kind = DrmEvent.Kind.CRTC_SEQUENCE;
            event.userData = data.get(JAVA_LONG_UNALIGNED, offset + 8);
            event.timestampNanos = data.get(JAVA_LONG_UNALIGNED, offset + 16);
            event.sequence = data.get(JAVA_LONG_UNALIGNED, offset + 24);
        } else {
            event.kind = DrmEvent.Kind.OTHER;
        }
        return length;
    }
}
