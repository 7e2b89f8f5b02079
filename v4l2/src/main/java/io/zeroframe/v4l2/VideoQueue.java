package io.zeroframe.v4l2;

import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_CREATE_BUFS;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_DQBUF;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_EXPBUF;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_QBUF;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_QUERYBUF;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_REQBUFS;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_STREAMOFF;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_STREAMON;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.videodev2.timeval;
import io.zeroframe.bindings.videodev2.v4l2_buffer;
import io.zeroframe.bindings.videodev2.v4l2_create_buffers;
import io.zeroframe.bindings.videodev2.v4l2_exportbuffer;
import io.zeroframe.bindings.videodev2.v4l2_plane;
import io.zeroframe.bindings.videodev2.v4l2_requestbuffers;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.internal.DmaBufAccess;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A streaming queue of a video node: capture, output, or one side of a memory-to-memory device. It requests
 * buffers ({@code VIDIOC_REQBUFS}, {@code VIDIOC_QUERYBUF}), maps MMAP buffers in its own arena, exports them
 * ({@code VIDIOC_EXPBUF}) or imports dma-bufs ({@code V4L2_MEMORY_DMABUF}), queues and dequeues them
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
 * <p>Lifetimes: MMAP mappings live in an arena of the queue; {@link #release()}, a new {@link #allocate} and
 * {@link #close()} unmap them before asking the driver to free the buffers ({@code VIDIOC_REQBUFS} count 0), so
 * a segment of a freed buffer throws {@link IllegalStateException} instead of touching freed memory. Mappings a
 * caller made with {@link VideoBuffer#map} in its own arena must be closed first: the queue refuses to free
 * buffers while they exist.
 *
 * <p>Thread-safety: {@link #close()} may be called from any thread at any time; a {@link #dequeue} blocked in
 * another thread wakes with {@link FdClosedException}. The queue waits on a duplicate of the node's fd, so that
 * closing the queue wakes only its own waiters.
 */
public final class VideoQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VideoQueue.class);
    /** How long close() waits for woken calls on the queue's fd to end before freeing the buffers. */
    private static final long CLOSE_DRAIN_MILLIS = 2_000;

    private static final long BUF_INDEX = v4l2_buffer.index$offset();
    private static final long BUF_TYPE = v4l2_buffer.type$offset();
    private static final long BUF_BYTESUSED = v4l2_buffer.bytesused$offset();
    private static final long BUF_FLAGS = v4l2_buffer.flags$offset();
    private static final long BUF_FIELD = v4l2_buffer.field$offset();
    private static final long BUF_TV_SEC = v4l2_buffer.timestamp$offset() + timeval.tv_sec$offset();
    private static final long BUF_TV_USEC = v4l2_buffer.timestamp$offset() + timeval.tv_usec$offset();
    private static final long BUF_SEQUENCE = v4l2_buffer.sequence$offset();
    private static final long BUF_MEMORY = v4l2_buffer.memory$offset();
    private static final long BUF_M = v4l2_buffer.m$offset();
    private static final long BUF_LENGTH = v4l2_buffer.length$offset();
    private static final long PLANE_SIZE = v4l2_plane.layout().byteSize();
    private static final long PLANE_BYTESUSED = v4l2_plane.bytesused$offset();
    private static final long PLANE_LENGTH = v4l2_plane.length$offset();
    private static final long PLANE_M = v4l2_plane.m$offset();
    private static final long PLANE_DATA_OFFSET = v4l2_plane.data_offset$offset();
    private static final int DEFAULT_MAX_BUFFERS = 32; // VB2_MAX_FRAME before Linux 6.10
    private static final VideoBuffer[] NO_BUFFERS = new VideoBuffer[0];

    private final VideoDevice device;
    private final BufferType type;
    private final boolean multiPlanar;
    private final OwnedFd fd;
    private final short pollEvents;
    private final QueueInfo info;
    private final MemorySegment queueScratch;
    private final MemorySegment queuePlanes;
    private final MemorySegment dequeueScratch;
    private final MemorySegment dequeuePlanes;
    private final MemorySegment typeArgument;
    private final AtomicInteger callerMappings = new AtomicInteger();
    private final Object lock = new Object();

    private volatile boolean closed;
    private volatile VideoBuffer[] buffers = NO_BUFFERS;
    private Memory memory;
    private Arena mappings;
    private int generation;
    private boolean streaming;

    private VideoQueue(VideoDevice device, BufferType type, OwnedFd fd) throws KernelException {
        this.device = device;
        this.type = type;
        this.multiPlanar = type.isMultiPlanar();
        this.fd = fd;
        this.pollEvents = type.isCapture() ? Syscalls.POLLIN : Syscalls.POLLOUT;
        // GC-managed: a call in flight on another thread may still use the scratch when close() runs
        Arena scratch = Arena.ofAuto();
        this.queueScratch = v4l2_buffer.allocate(scratch);
        this.queuePlanes = scratch.allocate(v4l2_plane.layout(), VideoFormat.MAX_PLANES);
        this.dequeueScratch = v4l2_buffer.allocate(scratch);
        this.dequeuePlanes = scratch.allocate(v4l2_plane.layout(), VideoFormat.MAX_PLANES);
        this.typeArgument = scratch.allocate(JAVA_INT);
        typeArgument.set(JAVA_INT, 0, type.value());
        fd.wakeFd(); // made now, so that the queue's fds do not change while it streams
        this.info = describe();
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
        return List.of(buffers);
    }

    /** Whether {@link #close()} has not been called. */
    public boolean isOpen() {
        return !closed;
    }

    private QueueInfo describe() throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment create = v4l2_create_buffers.allocate(arena);
            for (Memory kind : new Memory[] {Memory.MMAP, Memory.DMABUF}) {
                create.fill((byte) 0);
                v4l2_create_buffers.memory(create, kind.value());
                io.zeroframe.bindings.videodev2.v4l2_format.type(v4l2_create_buffers.format(create), type.value());
                int result = call(VIDIOC_CREATE_BUFS, create);
                if (result == 0) {
                    int caps = v4l2_create_buffers.capabilities(create);
                    int max = (caps & Abi.BUF_CAP_SUPPORTS_MAX_NUM_BUFFERS) != 0
                            ? create.get(JAVA_INT, Abi.CREATE_BUFFERS_MAX_NUM_BUFFERS_OFFSET)
                            : DEFAULT_MAX_BUFFERS;
                    return new QueueInfo(type, QueueCapability.decode(caps), QueueCapability.unknownBits(caps), max,
                            true, Syscalls.pageSize());
                }
                if (result != -Errno.EINVAL) {
                    break; // ENOTTY: no VIDIOC_CREATE_BUFS; ask REQBUFS
                }
            }
            MemorySegment request = v4l2_requestbuffers.allocate(arena);
            request.fill((byte) 0);
            v4l2_requestbuffers.type(request, type.value());
            v4l2_requestbuffers.memory(request, Memory.MMAP.value());
            int result = call(VIDIOC_REQBUFS, request);
            if (result < 0 && result != -Errno.EINVAL) {
                throw failure("VIDIOC_REQBUFS", -result, "asking " + type.kernelName() + " what it supports");
            }
            int caps = v4l2_requestbuffers.capabilities(request);
            return new QueueInfo(type, QueueCapability.decode(caps), QueueCapability.unknownBits(caps),
                    DEFAULT_MAX_BUFFERS, false, Syscalls.pageSize());
        }
    }

    /**
     * Asks the driver for {@code count} MMAP buffers of the current format ({@code VIDIOC_REQBUFS}), describes
     * each ({@code VIDIOC_QUERYBUF}) and maps every plane read-write in the queue's arena. Buffers allocated before
     * are released first (see {@link #release()}). The driver may grant more or fewer than {@code count}.
     *
     * @return one object per buffer, by index
     * @throws KernelException EBUSY while streaming ({@code VIDIOC_REQBUFS}: stop the stream first) or while
     *         mappings made with {@link VideoBuffer#map} are open; EINVAL for a queue without MMAP support
     */
    public List<VideoBuffer> allocate(int count) throws KernelException {
        if (count <= 0) {
            throw new IllegalArgumentException("VIDIOC_REQBUFS on " + device.path() + ": count must be positive: "
                    + count);
        }
        synchronized (lock) {
            checkOpen("VIDIOC_REQBUFS");
            releaseLocked(false);
            int outputField = type.isCapture() ? Field.NONE.value() : device.getFormat(type).field().value();
            int granted = requestBuffers(count, Memory.MMAP);
            Arena arena = Arena.ofShared();
            List<VideoBuffer> made;
            int next = generation + 1;
            try {
                made = mapBuffers(0, granted, next, outputField, arena);
                generation = next;
            } catch (KernelException | RuntimeException | Error e) {
                closeArena(arena);
                freeQuietly(Memory.MMAP);
                throw e;
            }
            mappings = arena;
            memory = Memory.MMAP;
            buffers = made.toArray(NO_BUFFERS);
            return List.copyOf(made);
        }
    }

    /**
     * Adds {@code count} MMAP buffers sized for {@code format} ({@code VIDIOC_CREATE_BUFS}), keeping the buffers
     * the queue has, even while it streams: for buffers larger than the current format's (a decoder about to
     * change resolution), or more buffers without stopping. Each new buffer is described ({@code VIDIOC_QUERYBUF})
     * and mapped in the queue's arena like those of {@link #allocate}.
     *
     * @param format the format the buffers must hold (its type must be this queue's); the driver sizes them for
     *               it, and a format it cannot take is refused with EINVAL
     * @return the new buffers, by index; the driver may grant fewer than {@code count}
     * @throws KernelException ENOTTY for a driver without {@code VIDIOC_CREATE_BUFS} ({@link QueueInfo} says);
     *         ENOBUFS when the queue has its maximum number of buffers
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
            if (memory == Memory.DMABUF && buffers.length > 0) {
                throw new IllegalStateException("VIDIOC_CREATE_BUFS on " + device.path()
                        + ": the queue holds imported dma-bufs; add MMAP buffers to an MMAP queue");
            }
            int first;
            int granted;
            try (Arena scratch = Arena.ofConfined()) {
                MemorySegment create = v4l2_create_buffers.allocate(scratch);
                create.fill((byte) 0);
                v4l2_create_buffers.count(create, count);
                v4l2_create_buffers.memory(create, Memory.MMAP.value());
                format.encode(v4l2_create_buffers.format(create));
                int result = call(VIDIOC_CREATE_BUFS, create);
                if (result < 0) {
                    throw failure("VIDIOC_CREATE_BUFS", -result, count + " MMAP buffers for " + format
                            + " (the queue holds " + buffers.length + " of at most " + info.maxBuffers() + ")");
                }
                first = v4l2_create_buffers.index(create);
                granted = v4l2_create_buffers.count(create);
            }
            boolean fresh = buffers.length == 0;
            if (fresh) {
                generation++;
            }
            Arena arena = mappings != null ? mappings : Arena.ofShared();
            int outputField = type.isCapture() ? Field.NONE.value() : format.field().value();
            List<VideoBuffer> made = mapBuffers(first, granted, generation, outputField, arena);
            mappings = arena;
            memory = Memory.MMAP;
            VideoBuffer[] grown = Arrays.copyOf(buffers, Math.max(buffers.length, first + granted));
            for (VideoBuffer buffer : made) {
                grown[buffer.index] = buffer;
            }
            buffers = grown;
            return List.copyOf(made);
        }
    }

    /** QUERYBUF and mmap of buffers {@code first} to {@code first + count - 1}, mapped in {@code arena}. */
    private List<VideoBuffer> mapBuffers(int first, int count, int forGeneration, int outputField, Arena arena)
            throws KernelException {
        List<VideoBuffer> made = new ArrayList<>(count);
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment buffer = v4l2_buffer.allocate(scratch);
            MemorySegment planes = scratch.allocate(v4l2_plane.layout(), VideoFormat.MAX_PLANES);
            for (int index = first; index < first + count; index++) {
                describeBuffer(buffer, planes, index, Memory.MMAP);
                int result = call(VIDIOC_QUERYBUF, buffer);
                if (result < 0) {
                    throw failure("VIDIOC_QUERYBUF", -result, "buffer " + index);
                }
                int planeCount = multiPlanar ? buffer.get(JAVA_INT, BUF_LENGTH) : 1;
                long[] lengths = new long[planeCount];
                int[] offsets = new int[planeCount];
                MemorySegment[] segments = new MemorySegment[planeCount];
                for (int p = 0; p < planeCount; p++) {
                    if (multiPlanar) {
                        lengths[p] = Integer.toUnsignedLong(planes.get(JAVA_INT, p * PLANE_SIZE + PLANE_LENGTH));
                        offsets[p] = planes.get(JAVA_INT, p * PLANE_SIZE + PLANE_M);
                    } else {
                        lengths[p] = Integer.toUnsignedLong(buffer.get(JAVA_INT, BUF_LENGTH));
                        offsets[p] = buffer.get(JAVA_INT, BUF_M);
                    }
                    segments[p] = Syscalls.mmap(fd, "mmap (V4L2 buffer " + index + " plane " + p + ")",
                            Integer.toUnsignedLong(offsets[p]), lengths[p],
                            Syscalls.PROT_READ | Syscalls.PROT_WRITE, Syscalls.MAP_SHARED, arena);
                }
                VideoBuffer made1 = new VideoBuffer(this, index, forGeneration, Memory.MMAP, lengths, offsets,
                        segments, null, null);
                if (!type.isCapture()) {
                    made1.field = outputField; // output buffers carry the format's field
                    for (int p = 0; p < planeCount; p++) {
                        made1.bytesUsed[p] = (int) lengths[p];
                    }
                }
                made.add(made1);
            }
        }
        return made;
    }

    /**
     * Imports dma-bufs as this queue's buffers ({@code VIDIOC_REQBUFS} with {@code V4L2_MEMORY_DMABUF}): buffer
     * {@code i} is {@code frames.get(i)}, one dma-buf per memory plane of the current format (one for the
     * single-planar API and contiguous formats, one per plane for {@code M} formats). The pairing stays for the
     * queue's life, so the kernel maps each dma-buf once rather than on every queueing. Any dma-buf works: a
     * dma-heap buffer, udmabuf, a DRM PRIME export, another queue's export.
     *
     * @param frames borrowed: the caller keeps ownership and must keep them open while the queue uses them
     * @throws KernelException {@code VIDIOC_QBUF} EINVAL for a dma-buf smaller than the format needs (the message
     *         gives both sizes) or the wrong number of dma-bufs, checked before anything is requested;
     *         {@code VIDIOC_REQBUFS} EINVAL for a queue that does not import dma-bufs
     */
    public List<VideoBuffer> importDmaBufs(List<List<DmaBuf>> frames) throws KernelException {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("VIDIOC_REQBUFS on " + device.path() + ": no dma-bufs to import");
        }
        synchronized (lock) {
            checkOpen("VIDIOC_REQBUFS");
            VideoFormat format = device.getFormat(type);
            int planeCount = format.planes().size();
            for (int i = 0; i < frames.size(); i++) {
                List<DmaBuf> frame = frames.get(i);
                if (frame.size() != planeCount) {
                    throw device.failure("VIDIOC_QBUF", Errno.EINVAL, "buffer " + i + " has " + frame.size()
                            + " dma-bufs; the format " + format + " has " + planeCount + " memory plane(s)");
                }
                for (int p = 0; p < planeCount; p++) {
                    long size = frame.get(p).size();
                    long needed = format.sizeImage(p);
                    if (size < needed) {
                        throw device.failure("VIDIOC_QBUF", Errno.EINVAL, "dma-buf of buffer " + i + " plane " + p
                                + " is too small: " + size + " bytes, the format " + format.fourccName() + " "
                                + format.width() + "x" + format.height() + " needs " + needed + " (sizeimage)");
                    }
                }
            }
            releaseLocked(false);
            int granted = requestBuffers(frames.size(), Memory.DMABUF);
            if (granted < frames.size()) {
                freeQuietly(Memory.DMABUF);
                throw device.failure("VIDIOC_REQBUFS", Errno.ENOMEM, "the driver granted " + granted
                        + " of " + frames.size() + " DMABUF buffers");
            }
            int next = generation + 1;
            List<VideoBuffer> made = new ArrayList<>(frames.size());
            for (int i = 0; i < frames.size(); i++) {
                List<DmaBuf> frame = frames.get(i);
                long[] lengths = new long[planeCount];
                DmaBuf[] imported = new DmaBuf[planeCount];
                OwnedFd[] fds = new OwnedFd[planeCount];
                for (int p = 0; p < planeCount; p++) {
                    imported[p] = Objects.requireNonNull(frame.get(p), "dma-buf");
                    fds[p] = DmaBufAccess.ownedFd(imported[p]);
                    lengths[p] = imported[p].size();
                }
                VideoBuffer buffer = new VideoBuffer(this, i, next, Memory.DMABUF, lengths, new int[planeCount], null,
                        imported, fds);
                if (!type.isCapture()) {
                    buffer.field = format.field().value();
                    for (int p = 0; p < planeCount; p++) {
                        buffer.bytesUsed[p] = (int) Math.min(format.sizeImage(p), Integer.MAX_VALUE);
                    }
                }
                made.add(buffer);
            }
            generation = next;
            memory = Memory.DMABUF;
            buffers = made.toArray(NO_BUFFERS);
            return List.copyOf(made);
        }
    }

    /**
     * Frees the buffers: stops the stream if it runs, unmaps the queue's mappings, then {@code VIDIOC_REQBUFS}
     * count 0. Segments of the freed buffers throw {@link IllegalStateException} from then on; exported dma-bufs
     * keep their memory.
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
        int open = callerMappings.get();
        if (open > 0) {
            throw device.failure("VIDIOC_REQBUFS", Errno.EBUSY, open + " mapping(s) of this queue's buffers are"
                    + " still open in the caller's arenas (VideoBuffer.map): close those arenas before the buffers"
                    + " are freed");
        }
        if (streaming && !stopStream) {
            throw device.failure("VIDIOC_REQBUFS", Errno.EBUSY, requestAdvice(Errno.EBUSY, 0, memory));
        }
        if (buffers.length == 0) {
            return;
        }
        if (streaming) {
            streamOffLocked();
        }
        closeArena(mappings);
        mappings = null;
        buffers = NO_BUFFERS;
        int result = requestBuffersRaw(0, memory);
        if (result < 0) {
            throw failure("VIDIOC_REQBUFS", -result, "freeing the buffers");
        }
    }

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
        if (buffer.queue != this || buffer.generation != generation) {
            throw new IllegalArgumentException("VIDIOC_QBUF on " + device.path() + ": " + buffer
                    + " is not one of this queue's current buffers");
        }
        MemorySegment s = queueScratch;
        s.fill((byte) 0);
        s.set(JAVA_INT, BUF_INDEX, buffer.index);
        s.set(JAVA_INT, BUF_TYPE, type.value());
        s.set(JAVA_INT, BUF_MEMORY, buffer.memory.value());
        s.set(JAVA_INT, BUF_FIELD, buffer.field);
        s.set(JAVA_LONG, BUF_TV_SEC, buffer.timestampSeconds);
        s.set(JAVA_LONG, BUF_TV_USEC, buffer.timestampMicros);
        boolean dmaBuf = buffer.memory == Memory.DMABUF;
        int begun = 0;
        try {
            if (multiPlanar) {
                MemorySegment planes = queuePlanes;
                planes.fill((byte) 0);
                s.set(JAVA_INT, BUF_LENGTH, buffer.planeCount);
                s.set(ADDRESS, BUF_M, planes);
                for (int p = 0; p < buffer.planeCount; p++) {
                    long base = p * PLANE_SIZE;
                    planes.set(JAVA_INT, base + PLANE_BYTESUSED, buffer.bytesUsed[p]);
                    planes.set(JAVA_INT, base + PLANE_LENGTH, (int) buffer.lengths[p]);
                    planes.set(JAVA_INT, base + PLANE_DATA_OFFSET, buffer.dataOffsets[p]);
                    if (dmaBuf) {
                        planes.set(JAVA_INT, base + PLANE_M, buffer.importedFds[p].beginUse("VIDIOC_QBUF"));
                        begun++;
                    } else {
                        planes.set(JAVA_INT, base + PLANE_M, buffer.memOffsets[p]);
                    }
                }
            } else {
                s.set(JAVA_INT, BUF_BYTESUSED, buffer.bytesUsed[0]);
                s.set(JAVA_INT, BUF_LENGTH, (int) buffer.lengths[0]);
                if (dmaBuf) {
                    s.set(JAVA_INT, BUF_M, buffer.importedFds[0].beginUse("VIDIOC_QBUF"));
                    begun++;
                } else {
                    s.set(JAVA_INT, BUF_M, buffer.memOffsets[0]);
                }
            }
            int result = call(VIDIOC_QBUF, s);
            if (result < 0) {
                throw failure("VIDIOC_QBUF", -result, queueAdvice(-result, buffer));
            }
            buffer.queued = true;
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
            int result = dequeueOnce();
            if (result >= 0) {
                return buffers[result].present;
            }
            if (result != -Errno.EAGAIN) {
                throw failure("VIDIOC_DQBUF", -result, dequeueAdvice(-result));
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
        short events = buffers.length == 0 ? Syscalls.POLLPRI : (short) (pollEvents | Syscalls.POLLPRI);
        int revents = Syscalls.waitFor(fd, events, wait, "poll");
        boolean buffer = (revents & (pollEvents | Syscalls.POLLERR | Syscalls.POLLHUP)) != 0;
        return Readiness.of(buffer, (revents & Syscalls.POLLPRI) != 0);
    }

    /** One non-blocking DQBUF into the dequeue scratch: the index, or {@code -errno}. */
    private int dequeueOnce() throws KernelException {
        MemorySegment s = dequeueScratch;
        s.fill((byte) 0);
        s.set(JAVA_INT, BUF_TYPE, type.value());
        Memory kind = memory;
        s.set(JAVA_INT, BUF_MEMORY, kind == null ? Memory.MMAP.value() : kind.value());
        if (multiPlanar) {
            dequeuePlanes.fill((byte) 0);
            s.set(JAVA_INT, BUF_LENGTH, VideoFormat.MAX_PLANES);
            s.set(ADDRESS, BUF_M, dequeuePlanes);
        }
        int result = call(VIDIOC_DQBUF, s);
        if (result < 0) {
            return result;
        }
        VideoBuffer[] current = buffers;
        int index = s.get(JAVA_INT, BUF_INDEX);
        if (index < 0 || index >= current.length) {
            throw device.failure("VIDIOC_DQBUF", Errno.EINVAL, "the driver returned buffer " + index + " of "
                    + current.length);
        }
        VideoBuffer buffer = current[index];
        buffer.flags = s.get(JAVA_INT, BUF_FLAGS);
        buffer.field = s.get(JAVA_INT, BUF_FIELD);
        buffer.sequence = s.get(JAVA_INT, BUF_SEQUENCE);
        buffer.timestampSeconds = s.get(JAVA_LONG, BUF_TV_SEC);
        buffer.timestampMicros = s.get(JAVA_LONG, BUF_TV_USEC);
        if (multiPlanar) {
            for (int p = 0; p < buffer.planeCount; p++) {
                long base = p * PLANE_SIZE;
                buffer.bytesUsed[p] = dequeuePlanes.get(JAVA_INT, base + PLANE_BYTESUSED);
                buffer.dataOffsets[p] = dequeuePlanes.get(JAVA_INT, base + PLANE_DATA_OFFSET);
            }
        } else {
            buffer.bytesUsed[0] = s.get(JAVA_INT, BUF_BYTESUSED);
        }
        buffer.queued = false;
        return index;
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
                throw failure("VIDIOC_STREAMON", -result, buffers.length == 0
                        ? "the queue has no buffers: allocate or import them first" : "the driver could not start");
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
            throw failure("VIDIOC_STREAMOFF", -result, "");
        }
        streaming = false;
        for (VideoBuffer buffer : buffers) {
            buffer.queued = false;
        }
    }

    /** Whether {@link #streamOn()} succeeded and no {@link #streamOff()} followed. */
    public boolean isStreaming() {
        return streaming;
    }

    /**
     * Closes the queue from any thread: wakes a blocked {@link #dequeue} or {@link #await} and waits for it to
     * leave the kernel, then stops the stream, unmaps the queue's mappings, frees the buffers
     * ({@code VIDIOC_REQBUFS} count 0, through the device's fd) and closes the queue's fd. Idempotent. Failures of a
     * gone device are ignored: the kernel frees the rest when the last fd and mapping go; other refusals are logged.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        fd.close(); // wakes waiters; calls in flight keep the number until they end
        // A woken poll makes one more pass over the node before it returns. Were that pass to see the queue without
        // buffers (after REQBUFS 0 below), vb2 would start read()/write() emulation on this file: buffers
        // allocated and a stream started behind the application's back, and S_FMT refused with EBUSY until the
        // node closes. So the buffers are freed only once no call is in flight on the queue's fd.
        if (!fd.awaitClosed(CLOSE_DRAIN_MILLIS)) {
            LOG.warn("closing the {} queue of {}: a call on it was still in flight after {} ms; freeing its buffers"
                    + " anyway", type.kernelName(), device.path(), CLOSE_DRAIN_MILLIS);
        }
        synchronized (lock) {
            try {
                if (device.isOpen() && streaming) {
                    releaseFailed("VIDIOC_STREAMOFF", device.tryIoctl(VIDIOC_STREAMOFF, typeArgument));
                }
            } catch (KernelException e) {
                // gone or closed: the kernel stops the stream when the file closes
            }
            streaming = false;
            closeArena(mappings);
            mappings = null;
            boolean had = buffers.length > 0;
            buffers = NO_BUFFERS;
            if (had && device.isOpen()) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment request = v4l2_requestbuffers.allocate(arena);
                    v4l2_requestbuffers.type(request, type.value());
                    v4l2_requestbuffers.memory(request, memory.value());
                    releaseFailed("VIDIOC_REQBUFS 0", device.tryIoctl(VIDIOC_REQBUFS, request));
                } catch (KernelException e) {
                    // gone or closed: the kernel frees the buffers with the file
                }
            }
        }
        device.streamClosed(this);
    }

    /**
     * close() cannot throw, but a refused STREAMOFF or REQBUFS 0 leaves the node busy for the next S_FMT or REQBUFS
     * of any opener until this file closes: say so where the application's log shows it.
     */
    private void releaseFailed(String operation, int result) {
        if (result < 0) {
            LOG.warn("{} on {} while closing the {} queue failed: {} ({}); the node stays busy until its file closes",
                    operation, device.path(), type.kernelName(), Errno.name(-result), Errno.description(-result));
        }
    }

    @Override
    public String toString() {
        return "VideoQueue[" + device.path() + " " + type.kernelName() + " " + buffers.length + " "
                + (memory == null ? "" : memory) + (closed ? " closed" : "") + "]";
    }

    // ---- used by VideoBuffer

    MemorySegment map(VideoBuffer buffer, int plane, Arena arena) throws KernelException {
        if (buffer.memory != Memory.MMAP) {
            throw new IllegalStateException("buffer " + buffer.index + " is not a V4L2_MEMORY_MMAP buffer");
        }
        synchronized (lock) {
            checkOpen("mmap");
            if (buffer.generation != generation) {
                throw new IllegalStateException("buffer " + buffer.index + " was freed");
            }
            MemorySegment mapping = Syscalls.mmap(fd, "mmap (V4L2 buffer " + buffer.index + " plane " + plane + ")",
                    Integer.toUnsignedLong(buffer.memOffsets[plane]), buffer.lengths[plane],
                    Syscalls.PROT_READ | Syscalls.PROT_WRITE, Syscalls.MAP_SHARED, arena);
            callerMappings.incrementAndGet();
            return mapping.reinterpret(arena, unmapped -> callerMappings.decrementAndGet());
        }
    }

    DmaBuf export(VideoBuffer buffer, int plane) throws KernelException {
        if (buffer.memory != Memory.MMAP) {
            throw device.failure("VIDIOC_EXPBUF", Errno.EINVAL, "buffer " + buffer.index
                    + " is a V4L2_MEMORY_DMABUF buffer; its dma-buf is " + buffer.imported[plane]);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = v4l2_exportbuffer.allocate(arena);
            v4l2_exportbuffer.type(request, type.value());
            v4l2_exportbuffer.index(request, buffer.index);
            v4l2_exportbuffer.plane(request, plane);
            v4l2_exportbuffer.flags(request, Syscalls.O_RDWR | Syscalls.O_CLOEXEC);
            int result = call(VIDIOC_EXPBUF, request);
            if (result < 0) {
                throw failure("VIDIOC_EXPBUF", -result, "buffer " + buffer.index + " plane " + plane);
            }
            return DmaBufAccess.wrap(OwnedFd.adopt(v4l2_exportbuffer.fd(request), "dma-buf (VIDIOC_EXPBUF "
                    + device.path() + " " + type.kernelName() + " buffer " + buffer.index + " plane " + plane + ")"));
        }
    }

    // ---- internals

    private void describeBuffer(MemorySegment buffer, MemorySegment planes, int index, Memory kind) {
        buffer.fill((byte) 0);
        buffer.set(JAVA_INT, BUF_INDEX, index);
        buffer.set(JAVA_INT, BUF_TYPE, type.value());
        buffer.set(JAVA_INT, BUF_MEMORY, kind.value());
        if (multiPlanar) {
            planes.fill((byte) 0);
            buffer.set(JAVA_INT, BUF_LENGTH, VideoFormat.MAX_PLANES);
            buffer.set(ADDRESS, BUF_M, planes);
        }
    }

    private int requestBuffers(int count, Memory kind) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = v4l2_requestbuffers.allocate(arena);
            int result = requestBuffers(request, count, kind);
            if (result < 0) {
                throw failure("VIDIOC_REQBUFS", -result, requestAdvice(-result, count, kind));
            }
            memory = kind;
            return v4l2_requestbuffers.count(request);
        }
    }

    private int requestBuffers(MemorySegment request, int count, Memory kind) throws KernelException {
        v4l2_requestbuffers.count(request, count);
        v4l2_requestbuffers.type(request, type.value());
        v4l2_requestbuffers.memory(request, kind.value());
        return call(VIDIOC_REQBUFS, request);
    }

    private int requestBuffersRaw(int count, Memory kind) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            return requestBuffers(v4l2_requestbuffers.allocate(arena), count, kind);
        }
    }

    private void freeQuietly(Memory kind) {
        try {
            requestBuffersRaw(0, kind);
        } catch (KernelException e) {
            // the failure being reported matters more
        }
    }

    private String requestAdvice(int errno, int count, Memory kind) {
        if (errno == Errno.EBUSY) {
            return "the queue is streaming or its buffers are in use: stop the stream (VIDIOC_STREAMOFF) first";
        }
        if (errno == Errno.EINVAL) {
            return type.kernelName() + " does not support " + kind.kernelName() + " (it supports "
                    + info.capabilities() + ")";
        }
        return count + " " + kind.kernelName() + " buffers";
    }

    private String queueAdvice(int errno, VideoBuffer buffer) {
        if (errno == Errno.EINVAL && buffer.queued) {
            return "buffer " + buffer.index + " is queued already";
        }
        if (errno == Errno.EIO) {
            return "the stream failed (a fatal driver error): stop it and start again";
        }
        return "buffer " + buffer.index;
    }

    private String dequeueAdvice(int errno) {
        if (errno == Errno.EINVAL) {
            return type.kernelName() + " is not streaming (VIDIOC_STREAMON) or has no buffers";
        }
        if (errno == Errno.EPIPE) {
            return "the last buffer was dequeued (V4L2_BUF_FLAG_LAST): restart the stream or send a START command";
        }
        if (errno == Errno.EIO) {
            return "the stream failed (a fatal driver error): stop it and start again";
        }
        return "";
    }

    /** {@code request} on the queue's fd: the result or {@code -errno}; throws for a closed queue or a gone device. */
    private int call(IoctlRequest request, MemorySegment argument) throws KernelException {
        return device.tryIoctl(fd, request, argument);
    }

    private KernelException failure(String operation, int errno, String detail) {
        return device.failure(operation, errno, detail);
    }

    private void checkOpen(String operation) throws FdClosedException {
        if (closed) {
            throw new FdClosedException(operation, device.path().toString(), "the queue is closed");
        }
    }

    private static void closeArena(Arena arena) {
        if (arena == null || !arena.scope().isAlive()) {
            return;
        }
        for (int attempt = 0; ; attempt++) {
            try {
                arena.close();
                return;
            } catch (IllegalStateException e) {
                // a segment is in use by a call on another thread: it ends soon
                if (attempt > 1000) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
    }
}
