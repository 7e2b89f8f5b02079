package io.zeroframe.v4l2;

import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_DQBUF;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_PREPARE_BUF;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_QBUF;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_STREAMOFF;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_STREAMON;
import static java.lang.foreign.ValueLayout.ADDRESS;
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
import io.zeroframe.bindings.videodev2.v4l2_buffer;
import io.zeroframe.bindings.videodev2.v4l2_plane;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.PixelFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A streaming queue of a video node: capture, output, or one side of a memory-to-memory device. It requests
 * buffers ({@code VIDIOC_REQBUFS}, {@code VIDIOC_QUERYBUF}), maps MMAP buffers in its own arena, exports them
 * ({@code VIDIOC_EXPBUF}, as dma-bufs or as frame-model {@link Frame}s) or imports dma-bufs and frames
 * ({@code V4L2_MEMORY_DMABUF}), prepares ({@code VIDIOC_PREPARE_BUF}), queues and dequeues them
 * ({@code VIDIOC_QBUF}, {@code VIDIOC_DQBUF}) and starts and stops the stream ({@code VIDIOC_STREAMON},
 * {@code VIDIOC_STREAMOFF}).
 *
 * {@snippet :
 * try (VideoDevice camera = VideoDevice.open(node);
 *      VideoQueue queue = camera.openQueue(BufferType.VIDEO_CAPTURE)) {
 *     camera.setFormat(VideoFormat.of(BufferType.VIDEO_CAPTURE, PixelFormat.XRGB8888, 640, 480));
 *     for (VideoBuffer buffer : queue.allocate(4)) {   // REQBUFS MMAP + QUERYBUF + mmap
 *         queue.enqueue(buffer);
 *     }
 *     queue.streamOn();
 *     Optional<VideoBuffer> frame = queue.dequeue(1000); // empty after 1 s without a frame
 *     frame.ifPresent(buffer -> use(buffer.plane(0), buffer.bytesUsed(0)));
 * }
 * }
 *
 * <p>Hot path: {@link #enqueue} and {@link #dequeue} allocate nothing. They reuse per-queue {@code v4l2_buffer}
 * and {@code v4l2_plane} scratch (one set for queueing, one for dequeueing) and return the queue's own
 * {@link VideoBuffer} objects. One thread at a time may queue, and one thread at a time may dequeue (they may be
 * two different threads).
 *
 * <p>Lifetimes: MMAP mappings live in arenas of the queue; {@link #release()}, a new {@link #allocate} and
 * {@link #close()} unmap them before asking the driver to free the buffers ({@code VIDIOC_REQBUFS} count 0), so
 * a segment of a freed buffer throws {@link IllegalStateException} instead of touching freed memory (a segment a
 * native call on another thread holds is unmapped when that call returns). Mappings a caller made with
 * {@link VideoBuffer#map} in its own arena must be closed first: {@link #release()} refuses to free buffers while
 * they exist. A freed buffer is stale: queueing, mapping or exporting it is refused, since its index may name
 * another buffer by then.
 *
 * <p>Thread-safety: {@link #close()} may be called from any thread at any time; a {@link #dequeue} blocked in
 * another thread wakes with {@link FdClosedException}. The queue waits on a duplicate of the node's fd, so that
 * closing the queue wakes only its own waiters.
 *
 * <p>As a {@link Pollable} (for a {@link io.zeroframe.bindings.Poller} that waits on the camera and other sources
 * at once) the queue is ready when a buffer can be dequeued: {@code POLLIN} for capture, {@code POLLOUT} for
 * output queues, as in {@link #dequeue}. Without buffers it is polled for nothing (only its closing is noticed),
 * since asking vb2 for buffers then would start its read()/write() emulation.
 */
public final class VideoQueue implements AutoCloseable, Pollable {
    private static final Logger LOG = LoggerFactory.getLogger(VideoQueue.class);
    /** How long close() waits for woken calls on the queue's fd to end before freeing the buffers. */
    private static final long CLOSE_DRAIN_MILLIS = 2_000;


    private final VideoDevice device;
    private final BufferType type;
    private final boolean multiPlanar;
    private final OwnedFd fd;
    private final short pollEvents;
    /** The queue's fd polled for {@link #pollEvents}, and for nothing while it has no buffers. */
    private final PollSource buffersDone;
    private final PollSource nothing;
    private final QueueInfo info;
    private final QueueBuffers buffers;
    private final MemorySegment queueScratch;
    private final MemorySegment queuePlanes;
    private final MemorySegment dequeueScratch;
    private final MemorySegment dequeuePlanes;
    private final MemorySegment typeArgument;
    /** Guards allocation, streaming state and close; the hot path does not take it. */
    private final Object lock = new Object();

    private volatile boolean closed;
    private volatile boolean streaming;
    /** The errno of the last failed {@link #dequeueOnce()} (read by the one dequeueing thread). */
    private int dequeueErrno;

    private VideoQueue(VideoDevice device, BufferType type, OwnedFd fd) throws KernelException {
        this.device = device;
        this.type = type;
        this.multiPlanar = type.isMultiPlanar();
        this.fd = fd;
        this.pollEvents = type.isCapture() ? Syscalls.POLLIN : Syscalls.POLLOUT;
        this.buffersDone = PollSource.of(fd, pollEvents);
        this.nothing = PollSource.of(fd, (short) 0);
        // GC-managed: a call in flight on another thread may still use the scratch when close() runs
        Arena scratch = Arena.ofAuto();
        this.queueScratch = v4l2_buffer.allocate(scratch);
        this.queuePlanes = scratch.allocate(v4l2_plane.layout(), VideoFormat.MAX_PLANES);
        this.dequeueScratch = v4l2_buffer.allocate(scratch);
        this.dequeuePlanes = scratch.allocate(v4l2_plane.layout(), VideoFormat.MAX_PLANES);
        this.typeArgument = scratch.allocate(JAVA_INT);
        typeArgument.set(JAVA_INT, 0, type.value());
        fd.wakeFd(); // made now, so that the queue's fds do not change while it streams
        this.info = QueueProbe.describe(device, fd, type);
        this.buffers = new QueueBuffers(this, device, fd);
    }

    /** Opens the queue {@code type} of {@code device}; see {@link VideoDevice#openQueue}. */
    static VideoQueue open(VideoDevice device, BufferType type) throws KernelException {
        OwnedFd fd = device.fd().duplicate();
        try {
            return new VideoQueue(device, type, fd);
        } catch (KernelException | RuntimeException | Error e) {
            fd.close();
            throw e;
        }
    }

    /** The queue's buffer type. */
    public BufferType type() {
        return type;
    }

    /** The device the queue belongs to. */
    public VideoDevice device() {
        return device;
    }

    /** What the queue offers, asked when it was opened. */
    public QueueInfo info() {
        return info;
    }

    /** The buffers allocated or imported last; empty before the first and after {@link #release()}. */
    public List<VideoBuffer> buffers() {
        return buffers.list();
    }

    /** Whether {@link #close()} has not been called. */
    public boolean isOpen() {
        return !closed;
    }

    // ---- allocation: the bookkeeping is QueueBuffers'

    /**
     * Asks the driver for {@code count} MMAP buffers of the current format ({@code VIDIOC_REQBUFS}), describes
     * each ({@code VIDIOC_QUERYBUF}) and maps every plane read-write in the queue's arena. Buffers allocated before
     * are released first (see {@link #release()}). The driver may grant more or fewer than {@code count}. Output
     * buffers carry the format's field and {@code sizeimage} as bytes used until set otherwise.
     *
     * @return one object per buffer, by index
     * @throws KernelException EBUSY while streaming ({@code VIDIOC_REQBUFS}: stop the stream first), while
     *         mappings made with {@link VideoBuffer#map} are open, or while another file holds the node's buffers;
     *         EINVAL for a queue without MMAP support
     */
    public List<VideoBuffer> allocate(int count) throws KernelException {
        if (count <= 0) {
            throw new IllegalArgumentException("VIDIOC_REQBUFS on " + device.path() + ": count must be positive: "
                    + count);
        }
        synchronized (lock) {
            checkOpen("VIDIOC_REQBUFS");
            releaseLocked(false);
            return buffers.allocate(count, type.isCapture() ? null : device.getFormat(type));
        }
    }

    /**
     * Adds {@code count} MMAP buffers sized for {@code format} ({@code VIDIOC_CREATE_BUFS}), keeping the buffers
     * the queue has, even while it streams: for buffers larger than the current format's (a decoder about to
     * change resolution), or more buffers without stopping. Each new buffer is described ({@code VIDIOC_QUERYBUF})
     * and mapped like those of {@link #allocate}. A batch that cannot be mapped is given back to the driver whole.
     * Output buffers carry the current format's field and {@code sizeimage} as bytes used (the stream's format,
     * which the larger buffers hold too) until set otherwise.
     *
     * @param format the format the buffers must hold (its type must be this queue's); the driver sizes them for
     *               it, and a format it cannot take is refused with EINVAL
     * @return the new buffers, by index; the driver may grant fewer than {@code count}
     * @throws KernelException ENOTTY for a driver without {@code VIDIOC_CREATE_BUFS} ({@link QueueInfo} says);
     *         ENOBUFS when the queue has its maximum number of buffers; the failed {@code mmap}
     * @throws IllegalStateException for a queue of imported dma-bufs
     */
    public List<VideoBuffer> addBuffers(int count, VideoFormat format) throws KernelException {
        if (count <= 0) {
            throw new IllegalArgumentException("VIDIOC_CREATE_BUFS on " + device.path()
                    + ": count must be positive: " + count);
        }
        if (format.type() != type) {
            throw new IllegalArgumentException("VIDIOC_CREATE_BUFS on " + device.path() + ": a "
                    + format.type().kernelName() + " format for a " + type.kernelName() + " queue");
        }
        synchronized (lock) {
            checkOpen("VIDIOC_CREATE_BUFS");
            if (buffers.memory == Memory.DMABUF && buffers.any()) {
                throw new IllegalStateException("VIDIOC_CREATE_BUFS on " + device.path()
                        + ": the queue holds imported dma-bufs; add MMAP buffers to an MMAP queue");
            }
            return buffers.add(count, format, type.isCapture() ? null : device.getFormat(type));
        }
    }

    /**
     * Imports dma-bufs as this queue's buffers ({@code VIDIOC_REQBUFS} with {@code V4L2_MEMORY_DMABUF}): buffer
     * {@code i} is {@code frames.get(i)}, one dma-buf per memory plane of the current format (one for the
     * single-planar API and contiguous formats, one per plane for {@code M} formats). The pairing stays for the
     * queue's life, so the kernel maps each dma-buf once rather than on every queueing. Any dma-buf works: a
     * dma-heap buffer, udmabuf, a DRM PRIME export, another queue's export. Output buffers carry the format's field
     * and {@code sizeimage} as bytes used until set otherwise.
     *
     * @param frames borrowed: the caller keeps ownership and must keep them open while the queue uses them
     * @throws IllegalArgumentException for a dma-buf smaller than the format needs (the message gives both sizes)
     *         or the wrong number of dma-bufs, checked before anything is asked of the driver
     * @throws KernelException {@code VIDIOC_REQBUFS} EINVAL for a queue that does not import dma-bufs
     */
    public List<VideoBuffer> importDmaBufs(List<List<DmaBuf>> frames) throws KernelException {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("VIDIOC_REQBUFS on " + device.path() + ": no dma-bufs to import");
        }
        synchronized (lock) {
            checkOpen("VIDIOC_REQBUFS");
            VideoFormat format = device.getFormat(type);
            return importChecked(frames, format);
        }
    }

    /**
     * Imports frames as this queue's buffers, as {@link #importDmaBufs} does, after checking each against the
     * current format ({@code VIDIOC_G_FMT}) the way the driver will read it: the same pixel format (or its
     * contiguous or {@code M} variant: {@code NV12} and {@code NV12M} frames are the same planes), the same width
     * and height, {@link io.zeroframe.dmabuf.Modifier#LINEAR}, every plane's pitch equal to the format's
     * {@code bytesperline} (the chroma pitches V4L2 derives from it), and every plane where V4L2 puts it: an
     * {@code M} format's planes at offset 0 of their own dma-bufs, a contiguous format's planes in one dma-buf,
     * plane 1 at {@code bytesperline * height} (V4L2 has no field for another offset of a capture buffer, and
     * drivers ignore {@code data_offset} of a contiguous format's chroma, so a frame laid out otherwise is refused
     * rather than misread). Buffer {@code i} is {@code frames.get(i)}, paired for the queue's life.
     *
     * @param frames borrowed: the caller keeps ownership and must keep them open while the queue uses them
     * @return one buffer per frame, by index
     * @throws IllegalArgumentException naming the frame, plane and value that do not fit, and the format, checked
     *         before anything is asked of the driver
     * @throws IllegalStateException for a current format the frame model does not know (a compressed format)
     * @throws KernelException {@code VIDIOC_REQBUFS} EINVAL for a queue that does not import dma-bufs; EBUSY while
     *         it streams or another file holds the node's buffers
     */
    public List<VideoBuffer> importFrames(List<Frame> frames) throws KernelException {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("VIDIOC_REQBUFS on " + device.path() + ": no frames to import");
        }
        synchronized (lock) {
            checkOpen("VIDIOC_REQBUFS");
            VideoFormat format = device.getFormat(type);
            PixelFormat pixels = knownFormat(format, "VIDIOC_REQBUFS");
            List<FramePlanes.Spot> spots = FramePlanes.of(format, pixels);
            List<List<DmaBuf>> memory = new ArrayList<>(frames.size());
            for (int i = 0; i < frames.size(); i++) {
                memory.add(memoryPlanes(Objects.requireNonNull(frames.get(i), "frame"), i, format, pixels, spots));
            }
            return importChecked(memory, format);
        }
    }

    private List<VideoBuffer> importChecked(List<List<DmaBuf>> frames, VideoFormat format) throws KernelException {
        checkFrames(frames, format);
        releaseLocked(false);
        return buffers.importFrames(frames, format);
    }

    /** The dma-buf of each memory plane of {@code frame}, after checking its planes against {@code spots}. */
    private List<DmaBuf> memoryPlanes(Frame frame, int index, VideoFormat format, PixelFormat pixels,
                                      List<FramePlanes.Spot> spots) {
        String at = "VIDIOC_REQBUFS on " + device.path() + ": frame " + index + " (" + frame + ")";
        String against = "; the format is " + format;
        if (!frame.isOpen()) {
            throw new IllegalArgumentException(at + " is closed");
        }
        if (!frame.format().contiguous().equals(pixels.contiguous())) {
            throw new IllegalArgumentException(at + " is " + frame.format() + against);
        }
        if (!frame.modifier().equals(Modifier.LINEAR)) {
            throw new IllegalArgumentException(at + " has modifier " + frame.modifier()
                    + ": V4L2 buffers are LINEAR" + against);
        }
        if (frame.width() != format.width() || frame.height() != format.height()) {
            throw new IllegalArgumentException(at + " is " + frame.width() + "x" + frame.height() + against);
        }
        DmaBuf[] memory = new DmaBuf[format.planes().size()];
        for (int p = 0; p < spots.size(); p++) {
            FramePlanes.Spot want = spots.get(p);
            Frame.Plane plane = frame.plane(p);
            String atPlane = at + " plane " + p + ": ";
            if (plane.pitch() != want.pitch()) {
                throw new IllegalArgumentException(atPlane + "pitch " + plane.pitch() + ", the format's bytesperline"
                        + (p == 0 ? "" : " implies") + " " + want.pitch() + against);
            }
            if (plane.offset() != want.offset()) {
                throw new IllegalArgumentException(atPlane + "offset " + plane.offset() + ", V4L2 puts it at "
                        + want.offset() + (want.offset() == 0 ? "" : " (the planes before it, one after the other)")
                        + against);
            }
            DmaBuf first = memory[want.memoryPlane()];
            if (first == null) {
                memory[want.memoryPlane()] = plane.buffer();
            } else if (first != plane.buffer()) {
                throw new IllegalArgumentException(atPlane + "its dma-buf is not the one of plane 0: the format "
                        + format.fourccName() + " has one memory plane, all planes in one dma-buf" + against);
            }
        }
        return List.of(memory);
    }

    private PixelFormat knownFormat(VideoFormat format, String operation) {
        return format.pixelFormat().orElseThrow(() -> new IllegalStateException(operation + " on " + device.path()
                + ": the current format " + format + " is not a frame-model PixelFormat (compressed or unknown)"));
    }

    private void checkFrames(List<List<DmaBuf>> frames, VideoFormat format) {
        int planeCount = format.planes().size();
        for (int i = 0; i < frames.size(); i++) {
            List<DmaBuf> frame = frames.get(i);
            if (frame.size() != planeCount) {
                throw new IllegalArgumentException("VIDIOC_REQBUFS on " + device.path() + ": buffer " + i + " has "
                        + frame.size() + " dma-bufs; the format " + format + " has " + planeCount
                        + " memory plane(s)");
            }
            for (int p = 0; p < planeCount; p++) {
                long size = Objects.requireNonNull(frame.get(p), "dma-buf").size();
                long needed = format.sizeImage(p);
                if (size < needed) {
                    throw new IllegalArgumentException("VIDIOC_REQBUFS on " + device.path() + ": dma-buf of buffer "
                            + i + " plane " + p + " is too small: " + size + " bytes, the format "
                            + format.fourccName() + " " + format.width() + "x" + format.height() + " needs " + needed
                            + " (sizeimage)");
                }
            }
        }
    }

    /**
     * Frees the buffers: stops the stream if it runs, unmaps the queue's mappings, then {@code VIDIOC_REQBUFS}
     * count 0. The buffers are stale from then on: their segments throw {@link IllegalStateException}, and
     * queueing, mapping or exporting them is refused; exported dma-bufs keep their memory.
     *
     * @throws KernelException EBUSY while mappings made with {@link VideoBuffer#map} are open
     */
    public void release() throws KernelException {
        synchronized (lock) {
            checkOpen("VIDIOC_REQBUFS");
            releaseLocked(true);
        }
    }

    private void releaseLocked(boolean stopStream) throws KernelException {
        int open = buffers.openCallerMappings();
        if (open > 0) {
            throw device.failure("VIDIOC_REQBUFS", Errno.EBUSY, open + " mapping(s) of this queue's buffers are"
                    + " still open in the caller's arenas (VideoBuffer.map): close those arenas before the buffers"
                    + " are freed");
        }
        if (streaming && !stopStream) {
            throw device.failure("VIDIOC_REQBUFS", Errno.EBUSY,
                    QueueAdvice.request(Errno.EBUSY, this, true, 0, buffers.memory));
        }
        if (!buffers.any()) {
            return;
        }
        if (streaming) {
            streamOffLocked();
        }
        buffers.free();
    }

    /** Whether the queue holds buffers: for the advice of a refused format change. */
    boolean holdsBuffers() {
        return buffers.any() || streaming;
    }

    // ---- streaming: the hot path

    /**
     * Queues {@code buffer} ({@code VIDIOC_QBUF}) with its {@linkplain VideoBuffer#setBytesUsed bytes used},
     * {@linkplain VideoBuffer#setDataOffset data offsets}, field and timestamp (what output queues read). Allocates
     * nothing.
     *
     * @throws KernelException EINVAL for a buffer queued already; {@link FdClosedException} once the queue or an
     *         imported dma-buf is closed; {@link io.zeroframe.bindings.DeviceGoneException} once the device is gone;
     *         EIO after a fatal streaming error
     * @throws IllegalArgumentException for a buffer of another queue or of an earlier allocation
     */
    public void enqueue(VideoBuffer buffer) throws KernelException {
        submit(VIDIOC_QBUF, buffer);
        buffer.queued = true;
    }

    /**
     * Prepares {@code buffer} for queueing without queueing it ({@code VIDIOC_PREPARE_BUF}): the driver checks it
     * and, for an imported dma-buf, attaches and maps it, which a plain import ({@code VIDIOC_REQBUFS}) does not
     * do. So it proves that the driver takes a dma-buf before the stream needs it, and makes the next
     * {@link #enqueue} of it cheaper. Carries what {@link #enqueue} carries; on the queueing side (not at the same
     * time as {@link #enqueue}). The buffer stays the application's; {@link #release()} frees it as any other.
     *
     * @throws KernelException ENOTTY for a driver without {@code VIDIOC_PREPARE_BUF}; EINVAL or EFAULT for a
     *         dma-buf the driver cannot use (too small, not mappable, not contiguous where it must be); EINVAL for
     *         a buffer queued already
     * @throws IllegalArgumentException for a buffer of another queue or of an earlier allocation
     */
    public void prepare(VideoBuffer buffer) throws KernelException {
        submit(VIDIOC_PREPARE_BUF, buffer);
    }

    /** {@code VIDIOC_QBUF} or {@code VIDIOC_PREPARE_BUF} of {@code buffer} from the queue scratch. */
    private void submit(IoctlRequest request, VideoBuffer buffer) throws KernelException {
        if (buffer.queue != this || buffer.generation != buffers.generation) {
            checkOpen(request.name()); // closing made every buffer stale
            throw new IllegalArgumentException(request.name() + " on " + device.path() + ": " + buffer
                    + " is not one of this queue's current buffers");
        }
        MemorySegment s = queueScratch;
        s.fill((byte) 0);
        s.set(JAVA_INT, BufferFields.INDEX, buffer.index);
        s.set(JAVA_INT, BufferFields.TYPE, type.value());
        s.set(JAVA_INT, BufferFields.MEMORY, buffer.memory.value());
        s.set(JAVA_INT, BufferFields.FIELD, buffer.field);
        s.set(JAVA_LONG, BufferFields.TV_SEC, buffer.timestampSeconds);
        s.set(JAVA_LONG, BufferFields.TV_USEC, buffer.timestampMicros);
        boolean dmaBuf = buffer.memory == Memory.DMABUF;
        int begun = 0;
        try {
            if (multiPlanar) {
                MemorySegment planes = queuePlanes;
                planes.fill((byte) 0);
                s.set(JAVA_INT, BufferFields.LENGTH, buffer.planeCount);
                s.set(ADDRESS, BufferFields.M, planes);
                for (int p = 0; p < buffer.planeCount; p++) {
                    long base = p * BufferFields.PLANE_SIZE;
                    planes.set(JAVA_INT, base + BufferFields.PLANE_BYTESUSED, buffer.bytesUsed[p]);
                    planes.set(JAVA_INT, base + BufferFields.PLANE_LENGTH, (int) buffer.lengths[p]);
                    planes.set(JAVA_INT, base + BufferFields.PLANE_DATA_OFFSET, buffer.dataOffsets[p]);
                    if (dmaBuf) {
                        int dmaBufFd = buffer.importedFds[p].beginUse(request.name());
                        planes.set(JAVA_INT, base + BufferFields.PLANE_M, dmaBufFd);
                        begun++;
                    } else {
                        planes.set(JAVA_INT, base + BufferFields.PLANE_M, buffer.memOffsets[p]);
                    }
                }
            } else {
                s.set(JAVA_INT, BufferFields.BYTESUSED, buffer.bytesUsed[0]);
                s.set(JAVA_INT, BufferFields.LENGTH, (int) buffer.lengths[0]);
                if (dmaBuf) {
                    s.set(JAVA_INT, BufferFields.M, buffer.importedFds[0].beginUse(request.name()));
                    begun++;
                } else {
                    s.set(JAVA_INT, BufferFields.M, buffer.memOffsets[0]);
                }
            }
            int result = call(request, s);
            if (result < 0) {
                throw device.failure(request.name(), -result, QueueAdvice.enqueue(-result, buffer));
            }
        } finally {
            for (int p = 0; p < begun; p++) {
                buffer.importedFds[p].endUse();
            }
        }
    }

    /**
     * Dequeues the next finished buffer ({@code VIDIOC_DQBUF}), waiting up to {@code timeoutMillis} in
     * {@code poll} ({@code POLLIN} for capture queues, {@code POLLOUT} for output queues). Allocates nothing: the
     * result is the buffer's own object, updated, wrapped in an {@code Optional} made with it.
     *
     * <p>Output queues: a driver may keep the newest frame it was given (the frame on screen) until another is
     * queued behind it; vivid does. Keep two or more buffers queued to get any back; the last one returns at
     * {@link #streamOff()}.
     *
     * @param timeoutMillis 0 to look without waiting, negative to wait for ever
     * @return the buffer; empty when the time passed without one, and at once when the driver reports that no
     *         buffer can come ({@code POLLERR}: nothing queued on a capture queue)
     * @throws FdClosedException when the queue is closed, also while waiting
     * @throws KernelException EINVAL when the queue is not streaming; EPIPE after the last buffer of a drain
     *         ({@link BufferFlag#LAST}); EIO after a fatal streaming error; a
     *         {@link io.zeroframe.bindings.DeviceGoneException} once the device is gone
     */
    public Optional<VideoBuffer> dequeue(long timeoutMillis) throws KernelException {
        long deadline = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : 0;
        boolean noneCanCome = false;
        while (true) {
            VideoBuffer done = dequeueOnce();
            if (done != null) {
                return done.present;
            }
            if (dequeueErrno != Errno.EAGAIN) {
                throw device.failure("VIDIOC_DQBUF", dequeueErrno, QueueAdvice.dequeue(dequeueErrno, type));
            }
            if (timeoutMillis == 0 || noneCanCome) {
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
            int revents = Syscalls.waitFor(fd, pollEvents, wait, "VIDIOC_DQBUF");
            if ((revents & (Syscalls.POLLERR | Syscalls.POLLHUP)) != 0) {
                noneCanCome = true; // try once more: an error with a buffer ready still dequeues it
            }
        }
    }

    /**
     * Waits up to {@code timeoutMillis} until a buffer can be dequeued or an event is pending, in one
     * {@code poll} on the node ({@code POLLIN} or {@code POLLOUT} with {@code POLLPRI}): the loop of an
     * application that handles frames and events (a decoder's source change, a drain's end of stream, a control
     * change) on one thread. Events subscribed through {@link VideoDevice#openEvents} count: the queue and the
     * event reader share the node's open file, which is what V4L2 ties subscriptions to. Allocates nothing;
     * {@link #close()} from another thread wakes the wait.
     *
     * <p>A queue without buffers waits for events only: no buffer can come, and asking {@code poll} for buffers
     * then would make vb2 start its read()/write() emulation, which allocates buffers and starts a stream of its
     * own on the node.
     *
     * @param timeoutMillis 0 to look without waiting, negative to wait for ever
     * @return what is ready; then {@link #dequeue}{@code (0)} and {@link VideoEvents#next}{@code (0)} take it
     * @throws FdClosedException when the queue is closed, also while waiting
     */
    public Readiness await(long timeoutMillis) throws KernelException {
        int wait = timeoutMillis < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, timeoutMillis);
        short events = buffers.any() ? (short) (pollEvents | Syscalls.POLLPRI) : Syscalls.POLLPRI;
        int revents = Syscalls.waitFor(fd, events, wait, "poll");
        boolean buffer = (revents & (pollEvents | Syscalls.POLLERR | Syscalls.POLLHUP)) != 0;
        return Readiness.of(buffer, (revents & Syscalls.POLLPRI) != 0);
    }

    /**
     * The queue's fd and what makes it ready for a {@link io.zeroframe.bindings.Poller}: a buffer to dequeue
     * ({@code POLLIN} on capture, {@code POLLOUT} on output queues, or {@code POLLERR} when none can come, e.g. not
     * streaming); nothing while the queue has no buffers. A closed queue is reported closed. Allocates nothing.
     */
    @Override
    public PollSource pollSource() {
        return buffers.any() ? buffersDone : nothing;
    }

    /**
     * One non-blocking DQBUF into the dequeue scratch: the buffer, updated, from the buffers the queue held when the
     * driver answered; {@code null} with {@link #dequeueErrno} set when the driver had none.
     */
    private VideoBuffer dequeueOnce() throws KernelException {
        MemorySegment s = dequeueScratch;
        Memory kind = buffers.memory;
        BufferFields.prepare(s, dequeuePlanes, 0, type, kind == null ? Memory.MMAP : kind);
        int result = call(VIDIOC_DQBUF, s);
        if (result < 0) {
            dequeueErrno = -result;
            return null;
        }
        VideoBuffer[] current = buffers.current;
        int index = s.get(JAVA_INT, BufferFields.INDEX);
        VideoBuffer buffer = index >= 0 && index < current.length ? current[index] : null;
        if (buffer == null) {
            checkOpen("VIDIOC_DQBUF"); // closed or released by another thread meanwhile
            throw device.failure("VIDIOC_DQBUF", Errno.EINVAL, "the driver returned buffer " + index
                    + ", which the queue does not hold");
        }
        buffer.flags = s.get(JAVA_INT, BufferFields.FLAGS);
        buffer.field = s.get(JAVA_INT, BufferFields.FIELD);
        buffer.sequence = s.get(JAVA_INT, BufferFields.SEQUENCE);
        buffer.timestampSeconds = s.get(JAVA_LONG, BufferFields.TV_SEC);
        buffer.timestampMicros = s.get(JAVA_LONG, BufferFields.TV_USEC);
        if (multiPlanar) {
            for (int p = 0; p < buffer.planeCount; p++) {
                long base = p * BufferFields.PLANE_SIZE;
                buffer.bytesUsed[p] = dequeuePlanes.get(JAVA_INT, base + BufferFields.PLANE_BYTESUSED);
                buffer.dataOffsets[p] = dequeuePlanes.get(JAVA_INT, base + BufferFields.PLANE_DATA_OFFSET);
            }
        } else {
            buffer.bytesUsed[0] = s.get(JAVA_INT, BufferFields.BYTESUSED);
        }
        buffer.queued = false;
        return buffer;
    }

    /**
     * Starts the stream ({@code VIDIOC_STREAMON}).
     *
     * @throws KernelException EINVAL without buffers; EIO or EINVAL from a driver that cannot start (vivid's
     *         {@code inject_vidioc_streamon_error})
     */
    public void streamOn() throws KernelException {
        synchronized (lock) {
            checkOpen("VIDIOC_STREAMON");
            int result = call(VIDIOC_STREAMON, typeArgument);
            if (result < 0) {
                throw device.failure("VIDIOC_STREAMON", -result, buffers.any() ? "the driver could not start"
                        : "the queue has no buffers: allocate or import them first");
            }
            streaming = true;
        }
    }

    /**
     * Stops the stream ({@code VIDIOC_STREAMOFF}): every buffer returns to the application, not dequeued; queue
     * them again before the next {@link #streamOn()}.
     */
    public void streamOff() throws KernelException {
        synchronized (lock) {
            checkOpen("VIDIOC_STREAMOFF");
            streamOffLocked();
        }
    }

    private void streamOffLocked() throws KernelException {
        int result = call(VIDIOC_STREAMOFF, typeArgument);
        if (result < 0) {
            throw device.failure("VIDIOC_STREAMOFF", -result, "");
        }
        streaming = false;
        for (VideoBuffer buffer : buffers.current) {
            if (buffer != null) {
                buffer.queued = false;
            }
        }
    }

    /** Whether {@link #streamOn()} succeeded and no {@link #streamOff()} followed. */
    public boolean isStreaming() {
        return streaming;
    }

    // ---- close

    /**
     * Closes the queue from any thread, never throwing: wakes a blocked {@link #dequeue} or {@link #await} and
     * waits for it to leave the kernel, then stops the stream, unmaps the queue's mappings, frees the buffers
     * ({@code VIDIOC_REQBUFS} count 0, through the device's fd) and closes the queue's fd. Idempotent.
     *
     * <p>What cannot be done is logged and left to the kernel, which frees the rest when the node's last fd and
     * mapping go: a gone device, a refused STREAMOFF or REQBUFS. A mapping a native call on another thread still
     * holds (a plane passed to {@code read(2)}) is unmapped when that call returns; the buffers are freed at once
     * all the same.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            fd.close(); // wakes waiters; calls in flight keep the number until they end
            // A woken poll makes one more pass over the node before it returns. Were that pass to see the queue
            // without buffers (after REQBUFS 0 below), vb2 would start read()/write() emulation on this file:
            // buffers allocated and a stream started behind the application's back, and S_FMT refused with EBUSY
            // until the node closes. So the buffers are freed only once no call is in flight on the queue's fd.
            if (!fd.awaitClosed(CLOSE_DRAIN_MILLIS)) {
                LOG.warn("closing the {} queue of {}: a call on it was still in flight after {} ms; freeing its"
                        + " buffers anyway", type.kernelName(), device.path(), CLOSE_DRAIN_MILLIS);
            }
            synchronized (lock) {
                releaseOnClose();
            }
        } finally {
            device.streamClosed(this);
        }
    }

    /** STREAMOFF, unmapping and REQBUFS 0 through the device's fd, the queue's being closed; logs what fails. */
    private void releaseOnClose() {
        boolean held = buffers.any();
        boolean wasStreaming = streaming;
        streaming = false;
        try {
            if (wasStreaming && device.isOpen()) {
                logRefusal("VIDIOC_STREAMOFF", device.tryIoctl(VIDIOC_STREAMOFF, typeArgument));
            }
        } catch (KernelException e) {
            // gone or closed: the kernel stops the stream when the file closes
        }
        buffers.retire();
        try {
            if (held && device.isOpen()) {
                logRefusal("VIDIOC_REQBUFS 0", buffers.freeThrough(device.fd()));
            }
        } catch (KernelException e) {
            // gone or closed: the kernel frees the buffers with the file
        }
    }

    /**
     * close() cannot throw, but a refused STREAMOFF or REQBUFS 0 leaves the node busy for the next S_FMT or REQBUFS
     * of any opener until this file closes: say so where the application's log shows it.
     */
    private void logRefusal(String operation, int result) {
        if (result < 0) {
            LOG.warn("{} on {} while closing the {} queue failed: {} ({}); the node stays busy until its file closes",
                    operation, device.path(), type.kernelName(), Errno.name(-result), Errno.description(-result));
        }
    }

    @Override
    public String toString() {
        Memory memory = buffers.memory;
        return "VideoQueue[" + device.path() + " " + type.kernelName() + " " + buffers.current.length + " "
                + (memory == null ? "" : memory) + (closed ? " closed" : "") + "]";
    }

    // ---- used by VideoBuffer

    MemorySegment map(VideoBuffer buffer, int plane, Arena arena) throws KernelException {
        if (buffer.memory != Memory.MMAP) {
            throw new IllegalStateException("buffer " + buffer.index + " is not a V4L2_MEMORY_MMAP buffer");
        }
        synchronized (lock) {
            checkOpen("mmap");
            return buffers.map(buffer, plane, arena);
        }
    }

    /**
     * Exports an MMAP buffer as a frame-model {@link Frame}: each memory plane exported ({@code VIDIOC_EXPBUF},
     * {@code O_RDWR | O_CLOEXEC}), the planes placed as V4L2 places them in the current format
     * ({@code VIDIOC_G_FMT}): format ({@link PixelFormat#fromV4l2}), width, height, {@link Modifier#LINEAR},
     * pitches from {@code bytesperline}; a contiguous format's planes in its one dma-buf (an {@code NV12} frame's
     * chroma at {@code bytesperline * height}), an {@code M} format's planes in one dma-buf each. The memory lives as
     * long as the frame, also after the queue frees its buffers ({@code VIDIOC_REQBUFS} 0).
     *
     * {@snippet :
     * VideoBuffer buffer = queue.allocate(4).getFirst();
     * try (Frame frame = queue.exportFrame(buffer)) {       // e.g. XRGB8888 640x480 LINEAR, pitch 2560
     *     display.show(frame);
     * }
     * }
     *
     * @return the caller owns the frame
     * @throws KernelException {@code VIDIOC_EXPBUF} EINVAL for a DMABUF buffer or a driver that cannot export; the
     *         dma-bufs exported before a failure are closed
     * @throws IllegalStateException for a buffer freed since ({@link #release()}, a new allocation), or a current
     *         format the frame model does not know (a compressed format)
     */
    public Frame exportFrame(VideoBuffer buffer) throws KernelException {
        VideoFormat format = device.getFormat(type);
        PixelFormat pixels = knownFormat(format, "VIDIOC_EXPBUF");
        List<FramePlanes.Spot> spots = FramePlanes.of(format, pixels);
        if (buffer.planeCount != format.planes().size()) {
            throw new IllegalStateException("VIDIOC_EXPBUF on " + device.path() + ": buffer " + buffer.index + " has "
                    + buffer.planeCount + " memory planes, the format " + format + " " + format.planes().size());
        }
        DmaBuf[] exported = new DmaBuf[buffer.planeCount];
        try {
            for (int p = 0; p < exported.length; p++) {
                exported[p] = export(buffer, p);
            }
        } catch (KernelException | RuntimeException | Error e) {
            for (DmaBuf made : exported) {
                if (made != null) {
                    made.close();
                }
            }
            throw e;
        }
        List<Frame.Plane> planes = new ArrayList<>(spots.size());
        for (FramePlanes.Spot spot : spots) {
            planes.add(new Frame.Plane(exported[spot.memoryPlane()], spot.offset(), spot.pitch(), spot.length()));
        }
        return Frame.of(pixels, format.width(), format.height(), Modifier.LINEAR, planes); // owns them, also on failure
    }

    DmaBuf export(VideoBuffer buffer, int plane) throws KernelException {
        if (buffer.memory != Memory.MMAP) {
            throw device.failure("VIDIOC_EXPBUF", Errno.EINVAL, "buffer " + buffer.index
                    + " is a V4L2_MEMORY_DMABUF buffer; its dma-buf is " + buffer.imported[plane]);
        }
        synchronized (lock) {
            checkOpen("VIDIOC_EXPBUF");
            return buffers.export(buffer, plane);
        }
    }

    // ---- internals

    /** {@code request} on the queue's fd: the result or {@code -errno}; throws for a closed queue or a gone device. */
    private int call(IoctlRequest request, MemorySegment argument) throws KernelException {
        return device.tryIoctl(fd, request, argument);
    }

    private void checkOpen(String operation) throws FdClosedException {
        if (closed) {
            throw new FdClosedException(operation, device.path().toString(), "the queue is closed");
        }
    }
}
