package io.zeroframe.v4l2;

import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_DQEVENT;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_SUBSCRIBE_EVENT;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_UNSUBSCRIBE_EVENT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.PollSource;
import io.zeroframe.bindings.Pollable;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.videodev2.timespec;
import io.zeroframe.bindings.videodev2.v4l2_event;
import io.zeroframe.bindings.videodev2.v4l2_event_ctrl;
import io.zeroframe.bindings.videodev2.v4l2_event_frame_sync;
import io.zeroframe.bindings.videodev2.v4l2_event_src_change;
import io.zeroframe.bindings.videodev2.v4l2_event_subscription;
import io.zeroframe.bindings.videodev2.videodev2_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * Events of a video node: subscribe ({@code VIDIOC_SUBSCRIBE_EVENT}), unsubscribe
 * ({@code VIDIOC_UNSUBSCRIBE_EVENT}) and dequeue ({@code VIDIOC_DQEVENT}), waiting for {@code POLLPRI} on the
 * node's file, the same file its queues wait on for buffers (events belong to the open file, which this object
 * shares with its {@link VideoDevice} and queues).
 *
 * {@snippet :
 * try (VideoEvents events = decoder.openEvents()) {
 *     events.subscribe(EventType.SOURCE_CHANGE, 0, false);
 *     Optional<VideoEvent> event = events.next(1000);   // empty after 1 s
 * }
 * }
 *
 * <p>{@link #next} allocates nothing: it reuses one {@code struct v4l2_event} and one {@link VideoEvent}. One thread
 * at a time dequeues; {@link #close()} may be called from any thread and wakes it.
 *
 * <p>As a {@link Pollable} it is ready ({@code POLLPRI}) when an event is pending: then {@link #next}{@code (0)}
 * takes it.
 */
public final class VideoEvents implements AutoCloseable, Pollable {
    private static final long TYPE = v4l2_event.type$offset();
    private static final long U = v4l2_event.u$offset();
    private static final long PENDING = v4l2_event.pending$offset();
    private static final long SEQUENCE = v4l2_event.sequence$offset();
    private static final long TV_SEC = v4l2_event.timestamp$offset() + timespec.tv_sec$offset();
    private static final long TV_NSEC = v4l2_event.timestamp$offset() + timespec.tv_nsec$offset();
    private static final long ID = v4l2_event.id$offset();
    private static final long CTRL_CHANGES = U + v4l2_event_ctrl.changes$offset();
    private static final long CTRL_VALUE64 = U + v4l2_event_ctrl.value64$offset();
    private static final long SRC_CHANGES = U + v4l2_event_src_change.changes$offset();
    private static final long FRAME_SEQUENCE = U + v4l2_event_frame_sync.frame_sequence$offset();

    private final VideoDevice device;
    private final OwnedFd fd;
    private final MemorySegment scratch;
    private final VideoEvent event = new VideoEvent();
    private final Optional<VideoEvent> present = Optional.of(event);
    private final PollSource pending;

    private VideoEvents(VideoDevice device, OwnedFd fd) {
        this.device = device;
        this.fd = fd;
        this.scratch = v4l2_event.allocate(Arena.ofAuto()); // a dequeue in flight may outlive close()
        this.pending = PollSource.of(fd, Syscalls.POLLPRI);
    }

    static VideoEvents open(VideoDevice device) throws KernelException {
        OwnedFd fd = device.fd().duplicate();
        try {
            fd.wakeFd();
            return new VideoEvents(device, fd);
        } catch (KernelException | RuntimeException | Error e) {
            fd.close();
            throw e;
        }
    }

    /**
     * Subscribes to {@code type} events ({@code VIDIOC_SUBSCRIBE_EVENT}).
     *
     * @param id           the control id for {@link EventType#CTRL}, the input or pad for source changes, else 0
     * @param sendInitial  {@code V4L2_EVENT_SUB_FL_SEND_INITIAL}: queue an event with the current state at once
     *                     (control and source-change events)
     * @throws KernelException EINVAL for an event the node does not generate, ENOTTY for a node without events
     */
    public void subscribe(EventType type, int id, boolean sendInitial) throws KernelException {
        subscription(VIDIOC_SUBSCRIBE_EVENT, type, id, sendInitial ? videodev2_h.V4L2_EVENT_SUB_FL_SEND_INITIAL() : 0);
    }

    /** Ends a subscription ({@code VIDIOC_UNSUBSCRIBE_EVENT}); events of it still queued are dropped. */
    public void unsubscribe(EventType type, int id) throws KernelException {
        subscription(VIDIOC_UNSUBSCRIBE_EVENT, type, id, 0);
    }

    private void subscription(IoctlRequest request, EventType type, int id, int flags) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sub = v4l2_event_subscription.allocate(arena);
            sub.fill((byte) 0);
            v4l2_event_subscription.type(sub, type.value());
            v4l2_event_subscription.id(sub, id);
            v4l2_event_subscription.flags(sub, flags);
            int result = call(request, sub);
            if (result < 0) {
                throw device.failure(request.name(), -result, (-result == Errno.EINVAL
                        ? "the node does not generate " : "") + "V4L2_EVENT_" + type + " (id " + id + ")");
            }
        }
    }

    /**
     * The next event ({@code VIDIOC_DQEVENT}), waiting up to {@code timeoutMillis} for {@code POLLPRI}; allocation-free:
     * the result is this object's one {@link VideoEvent}, updated.
     *
     * @param timeoutMillis 0 to look without waiting, negative to wait for ever
     * @return empty when no event came in time
     * @throws FdClosedException once this object is closed, also while waiting
     */
    public Optional<VideoEvent> next(long timeoutMillis) throws KernelException {
        long deadline = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : 0;
        while (true) {
            int result = call(VIDIOC_DQEVENT, scratch);
            if (result >= 0) {
                MemorySegment s = scratch;
                VideoEvent e = event;
                e.type = s.get(JAVA_INT, TYPE);
                e.id = s.get(JAVA_INT, ID);
                e.pending = s.get(JAVA_INT, PENDING);
                e.sequence = s.get(JAVA_INT, SEQUENCE);
                e.timestampNanos = s.get(JAVA_LONG, TV_SEC) * 1_000_000_000L + s.get(JAVA_LONG, TV_NSEC);
                e.changes = 0;
                e.value = 0;
                e.frameSequence = 0;
                if (e.type == videodev2_h.V4L2_EVENT_CTRL()) {
                    e.changes = s.get(JAVA_INT, CTRL_CHANGES);
                    e.value = s.get(JAVA_LONG, CTRL_VALUE64);
                } else if (e.type == videodev2_h.V4L2_EVENT_SOURCE_CHANGE()) {
                    e.changes = s.get(JAVA_INT, SRC_CHANGES);
                } else if (e.type == videodev2_h.V4L2_EVENT_FRAME_SYNC()) {
                    e.frameSequence = s.get(JAVA_INT, FRAME_SEQUENCE);
                }
                return present;
            }
            // DQEVENT answers ENOENT when no event is pending
            if (result != -Errno.ENOENT && result != -Errno.EAGAIN) {
                throw device.failure("VIDIOC_DQEVENT", -result, "");
            }
            if (timeoutMillis == 0) {
                return Optional.empty();
            }
            int wait = -1;
            if (timeoutMillis > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                wait = (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
            }
            Syscalls.waitFor(fd, Syscalls.POLLPRI, wait, "VIDIOC_DQEVENT");
        }
    }

    /** This object's fd polled for {@code POLLPRI}: an event is pending. A closed object is reported closed. */
    @Override
    public PollSource pollSource() {
        return pending;
    }

    /** Closes this object's fd (the subscriptions belong to the node's file and end with it); wakes a waiter. */
    @Override
    public void close() {
        fd.close();
        device.streamClosed(this);
    }

    private int call(IoctlRequest request, MemorySegment argument) throws KernelException {
        return device.tryIoctl(fd, request, argument);
    }
}
