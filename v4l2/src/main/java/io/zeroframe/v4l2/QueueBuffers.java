package io.zeroframe.v4l2;

import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_CREATE_BUFS;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_EXPBUF;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_QUERYBUF;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_REMOVE_BUFS;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_REQBUFS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.videodev2.v4l2_buffer;
import io.zeroframe.bindings.videodev2.v4l2_create_buffers;
import io.zeroframe.bindings.videodev2.v4l2_exportbuffer;
import io.zeroframe.bindings.videodev2.v4l2_plane;
import io.zeroframe.bindings.videodev2.v4l2_remove_buffers;
import io.zeroframe.bindings.videodev2.v4l2_requestbuffers;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.internal.DmaBufAccess;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The buffers of one {@link VideoQueue} and the memory behind them: asking the driver for buffers
 * ({@code VIDIOC_REQBUFS}, {@code VIDIOC_CREATE_BUFS}) and giving them back ({@code VIDIOC_REQBUFS} count 0,
 * {@code VIDIOC_REMOVE_BUFS}), describing and mapping MMAP buffers ({@code VIDIOC_QUERYBUF}, {@code mmap}),
 * exporting them ({@code VIDIOC_EXPBUF}) and pairing imported dma-bufs with indices.
 *
 * <p>Every method runs under the queue's lock, except that the streaming path reads {@link #current} and
 * {@link #generation} (both volatile) without it.
 *
 * <p>Memory: each batch of MMAP buffers (one {@code allocate}, one {@code addBuffers}) is mapped in a shared arena of
 * its own, so that a batch that fails half-way is unmapped alone; freeing the buffers closes every batch's arena
 * ({@link Unmapper}: later, if a native call still holds a segment). Mappings made by callers in their own arenas
 * are tracked by their arenas' scopes, weakly: an arena the caller dropped does not count.
 */
final class QueueBuffers {
    private static final Logger LOG = LoggerFactory.getLogger(QueueBuffers.class);
    static final VideoBuffer[] NONE = new VideoBuffer[0];


    private final VideoQueue queue;
    private final VideoDevice device;
    private final BufferType type;
    private final OwnedFd fd;
    private final List<Arena> batches = new ArrayList<>();
    private final List<WeakReference<MemorySegment.Scope>> callerMappings = new ArrayList<>();

    /**
     * The buffers by index. {@code null} marks an index the driver holds but the queue does not: a failed batch the
     * driver could not take back (no {@code VIDIOC_REMOVE_BUFS}); it goes with the next release.
     */
    volatile VideoBuffer[] current = NONE;
    /** Advanced whenever buffers are freed: a buffer of an older generation is stale. */
    volatile int generation;
    /** How the buffers came; {@code null} before the first. */
    Memory memory;

    QueueBuffers(VideoQueue queue, VideoDevice device, OwnedFd fd) {
        this.queue = queue;
        this.device = device;
        this.type = queue.type();
        this.fd = fd;
    }

    /** Whether the driver holds buffers of this queue. */
    boolean any() {
        return current.length > 0;
    }

    /** The buffers, by index. */
    List<VideoBuffer> list() {
        VideoBuffer[] all = current;
        List<VideoBuffer> list = new ArrayList<>(all.length);
        for (VideoBuffer buffer : all) {
            if (buffer != null) {
                list.add(buffer);
            }
        }
        return List.copyOf(list);
    }

    /** {@code VIDIOC_REQBUFS} MMAP, then QUERYBUF and mmap of every buffer; on failure the driver frees them. */
    List<VideoBuffer> allocate(int count, VideoFormat outputFormat) throws KernelException {
        int granted = request(count, Memory.MMAP);
        int next = generation + 1;
        List<VideoBuffer> made;
        try {
            made = mapBatch(0, granted, next, outputFormat);
        } catch (KernelException | RuntimeException | Error e) {
            requestQuietly(0, Memory.MMAP);
            throw e;
        }
        generation = next;
        memory = Memory.MMAP;
        current = made.toArray(NONE);
        return List.copyOf(made);
    }

    /**
     * {@code VIDIOC_CREATE_BUFS} MMAP for {@code format}, then QUERYBUF and mmap of the new buffers, output buffers
     * with the defaults of {@code outputFormat} (the current one; {@code null} for capture). A batch that
     * fails is given back: all buffers with {@code REQBUFS 0} when the queue had none, the batch alone with
     * {@code VIDIOC_REMOVE_BUFS} otherwise.
     */
    List<VideoBuffer> add(int count, VideoFormat format, VideoFormat outputFormat) throws KernelException {
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
                String advice = -result == Errno.EBUSY ? QueueAdvice.request(-result, queue, any(), count, Memory.MMAP)
                        : count + " MMAP buffers for " + format;
                throw device.failure("VIDIOC_CREATE_BUFS", -result, advice + " (the queue holds " + list().size()
                        + " of at most " + queue.info().maxBuffers() + ")");
            }
            first = v4l2_create_buffers.index(create);
            granted = v4l2_create_buffers.count(create);
        }
        boolean fresh = !any();
        int forGeneration = fresh ? generation + 1 : generation;
        List<VideoBuffer> made;
        try {
            made = mapBatch(first, granted, forGeneration, outputFormat);
        } catch (KernelException | RuntimeException | Error e) {
            if (fresh) {
                requestQuietly(0, Memory.MMAP);
            } else {
                removeQuietly(first, granted);
            }
            throw e;
        }
        generation = forGeneration;
        memory = Memory.MMAP;
        VideoBuffer[] grown = Arrays.copyOf(current, Math.max(current.length, first + granted));
        for (VideoBuffer buffer : made) {
            grown[buffer.index] = buffer;
        }
        current = grown;
        return List.copyOf(made);
    }

    /**
     * {@code VIDIOC_REQBUFS} DMABUF for {@code frames} (checked by the caller against {@code format}) and one
     * buffer object per frame, paired with its dma-bufs for the queue's life.
     */
    List<VideoBuffer> importFrames(List<List<DmaBuf>> frames, VideoFormat format) throws KernelException {
        int granted = request(frames.size(), Memory.DMABUF);
        if (granted < frames.size()) {
            requestQuietly(0, Memory.DMABUF);
            throw device.failure("VIDIOC_REQBUFS", Errno.ENOMEM, "the driver granted " + granted + " of "
                    + frames.size() + " DMABUF buffers");
        }
        int next = generation + 1;
        int planeCount = format.planes().size();
        List<VideoBuffer> made = new ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            long[] lengths = new long[planeCount];
            DmaBuf[] imported = new DmaBuf[planeCount];
            OwnedFd[] fds = new OwnedFd[planeCount];
            for (int p = 0; p < planeCount; p++) {
                imported[p] = frames.get(i).get(p);
                fds[p] = DmaBufAccess.ownedFd(imported[p]);
                lengths[p] = imported[p].size();
            }
            VideoBuffer buffer = new VideoBuffer(queue, i, next, Memory.DMABUF, lengths, new int[planeCount], null,
                    imported, fds);
            if (!type.isCapture()) {
                buffer.defaultOutput(format);
            }
            made.add(buffer);
        }
        generation = next;
        memory = Memory.DMABUF;
        current = made.toArray(NONE);
        return List.copyOf(made);
    }

    /** How many mappings callers made with {@link VideoBuffer#map} are still open. */
    int openCallerMappings() {
        callerMappings.removeIf(reference -> {
            MemorySegment.Scope scope = reference.get();
            return scope == null || !scope.isAlive();
        });
        return callerMappings.size();
    }

    /**
     * Forgets every buffer (they are stale from now on, none is queued) and unmaps the queue's mappings. Never
     * throws; the driver still holds the buffers until {@code REQBUFS 0}.
     */
    void retire() {
        for (VideoBuffer buffer : current) {
            if (buffer != null) {
                buffer.queued = false;
            }
        }
        generation++;
        current = NONE;
        for (Arena batch : batches) {
            Unmapper.close(batch, "the mappings of " + device.path() + " " + type.kernelName());
        }
        batches.clear();
    }

    /** {@link #retire()}, then {@code VIDIOC_REQBUFS} count 0 on the queue's fd. */
    void free() throws KernelException {
        Memory kind = memory;
        retire();
        int result = requestRaw(fd, 0, kind);
        if (result < 0) {
            throw device.failure("VIDIOC_REQBUFS", -result, "freeing the buffers");
        }
    }

    /** {@code VIDIOC_REQBUFS} count 0 through {@code on} (the device's fd once the queue's is closed): the result. */
    int freeThrough(OwnedFd on) throws KernelException {
        return requestRaw(on, 0, memory);
    }

    /** Throws unless {@code buffer} is one of the current buffers. */
    void checkCurrent(VideoBuffer buffer, String operation) {
        VideoBuffer[] all = current;
        if (buffer.generation != generation || buffer.index >= all.length || all[buffer.index] != buffer) {
            throw new IllegalStateException(operation + " on " + device.path() + ": buffer " + buffer.index
                    + " was freed (the queue's buffers were released or allocated again since)");
        }
    }

    /** Maps plane {@code plane} of a current MMAP buffer in the caller's {@code arena}, counted until it closes. */
    MemorySegment map(VideoBuffer buffer, int plane, Arena arena) throws KernelException {
        checkCurrent(buffer, "mmap");
        MemorySegment mapping = mmap(buffer.index, plane, buffer.memOffsets[plane], buffer.lengths[plane], arena);
        callerMappings.add(new WeakReference<>(mapping.scope()));
        return mapping;
    }

    /** {@code VIDIOC_EXPBUF} of plane {@code plane} of a current MMAP buffer. */
    DmaBuf export(VideoBuffer buffer, int plane) throws KernelException {
        checkCurrent(buffer, "VIDIOC_EXPBUF");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = v4l2_exportbuffer.allocate(arena);
            v4l2_exportbuffer.type(request, type.value());
            v4l2_exportbuffer.index(request, buffer.index);
            v4l2_exportbuffer.plane(request, plane);
            v4l2_exportbuffer.flags(request, Syscalls.O_RDWR | Syscalls.O_CLOEXEC);
            int result = call(VIDIOC_EXPBUF, request);
            if (result < 0) {
                throw device.failure("VIDIOC_EXPBUF", -result, "buffer " + buffer.index + " plane " + plane);
            }
            return DmaBufAccess.wrap(OwnedFd.adopt(v4l2_exportbuffer.fd(request), "dma-buf (VIDIOC_EXPBUF "
                    + device.path() + " " + type.kernelName() + " buffer " + buffer.index + " plane " + plane + ")"));
        }
    }

    // ---- internals

    /** QUERYBUF and mmap of buffers {@code first} to {@code first + count - 1}, in a new arena kept on success. */
    private List<VideoBuffer> mapBatch(int first, int count, int forGeneration, VideoFormat outputFormat)
            throws KernelException {
        boolean multiPlanar = type.isMultiPlanar();
        List<VideoBuffer> made = new ArrayList<>(count);
        Arena arena = Arena.ofShared();
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment buffer = v4l2_buffer.allocate(scratch);
            MemorySegment planes = scratch.allocate(v4l2_plane.layout(), VideoFormat.MAX_PLANES);
            for (int index = first; index < first + count; index++) {
                BufferFields.prepare(buffer, planes, index, type, Memory.MMAP);
                int result = call(VIDIOC_QUERYBUF, buffer);
                if (result < 0) {
                    throw device.failure("VIDIOC_QUERYBUF", -result, "buffer " + index);
                }
                int planeCount = multiPlanar ? buffer.get(JAVA_INT, BufferFields.LENGTH) : 1;
                long[] lengths = new long[planeCount];
                int[] offsets = new int[planeCount];
                MemorySegment[] segments = new MemorySegment[planeCount];
                for (int p = 0; p < planeCount; p++) {
                    long base = p * BufferFields.PLANE_SIZE;
                    int length = multiPlanar ? planes.get(JAVA_INT, base + BufferFields.PLANE_LENGTH)
                            : buffer.get(JAVA_INT, BufferFields.LENGTH);
                    lengths[p] = Integer.toUnsignedLong(length);
                    offsets[p] = multiPlanar ? planes.get(JAVA_INT, base + BufferFields.PLANE_M)
                            : buffer.get(JAVA_INT, BufferFields.M);
                    segments[p] = mmap(index, p, offsets[p], lengths[p], arena);
                }
                VideoBuffer mapped = new VideoBuffer(queue, index, forGeneration, Memory.MMAP, lengths, offsets,
                        segments, null, null);
                if (outputFormat != null) {
                    mapped.defaultOutput(outputFormat);
                }
                made.add(mapped);
            }
        } catch (KernelException | RuntimeException | Error e) {
            arena.close(); // its segments have not left this method
            throw e;
        }
        batches.add(arena);
        return made;
    }

    /** {@code mmap} of one plane, a gone device reported as such. */
    private MemorySegment mmap(int index, int plane, int offset, long length, Arena arena) throws KernelException {
        try {
            return Syscalls.mmap(fd, "mmap (V4L2 buffer " + index + " plane " + plane + ")",
                    Integer.toUnsignedLong(offset), length, Syscalls.PROT_READ | Syscalls.PROT_WRITE,
                    Syscalls.MAP_SHARED, arena);
        } catch (KernelException e) {
            throw device.classify(fd, e);
        }
    }

    /** {@code VIDIOC_REQBUFS}: the count granted; throws with advice. */
    private int request(int count, Memory kind) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = v4l2_requestbuffers.allocate(arena);
            int result = requestRaw(request, fd, count, kind);
            if (result < 0) {
                throw device.failure("VIDIOC_REQBUFS", -result, QueueAdvice.request(-result, queue, any(), count,
                        kind));
            }
            memory = kind;
            return v4l2_requestbuffers.count(request);
        }
    }

    private int requestRaw(OwnedFd on, int count, Memory kind) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            return requestRaw(v4l2_requestbuffers.allocate(arena), on, count, kind);
        }
    }

    private int requestRaw(MemorySegment request, OwnedFd on, int count, Memory kind) throws KernelException {
        request.fill((byte) 0);
        v4l2_requestbuffers.count(request, count);
        v4l2_requestbuffers.type(request, type.value());
        v4l2_requestbuffers.memory(request, Objects.requireNonNullElse(kind, Memory.MMAP).value());
        return device.tryIoctl(on, VIDIOC_REQBUFS, request);
    }

    /** Gives the buffers back after a failure, which matters more than this call's own. */
    private void requestQuietly(int count, Memory kind) {
        try {
            int result = requestRaw(fd, count, kind);
            if (result < 0) {
                LOG.warn("VIDIOC_REQBUFS 0 on {} after a failed allocation: {}; the buffers stay until the node's"
                        + " file closes", device.path(), Errno.name(-result));
            }
        } catch (KernelException e) {
            // gone or closed: the kernel frees the buffers with the file
        }
    }

    /**
     * Gives back the batch {@code first .. first + count - 1} ({@code VIDIOC_REMOVE_BUFS}, Linux 6.10). A driver
     * without it keeps those buffers until the next release: their indices stay empty in {@link #current}.
     */
    private void removeQuietly(int first, int count) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment remove = v4l2_remove_buffers.allocate(arena);
            remove.fill((byte) 0);
            v4l2_remove_buffers.index(remove, first);
            v4l2_remove_buffers.count(remove, count);
            v4l2_remove_buffers.type(remove, type.value());
            int result = call(VIDIOC_REMOVE_BUFS, remove);
            if (result < 0) {
                LOG.info("VIDIOC_REMOVE_BUFS {}..{} on {} after a failed batch: {}; the driver keeps them until the"
                        + " queue's buffers are released", first, first + count - 1, device.path(),
                        Errno.name(-result));
            }
        } catch (KernelException e) {
            // gone or closed: the kernel frees the buffers with the file
        }
    }

    private int call(io.zeroframe.bindings.sys.IoctlRequest request, MemorySegment argument) throws KernelException {
        return device.tryIoctl(fd, request, argument);
    }
}
