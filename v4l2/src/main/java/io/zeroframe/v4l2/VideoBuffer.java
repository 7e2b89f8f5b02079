package io.zeroframe.v4l2;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.dmabuf.DmaBuf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.Set;

/**
 * One buffer of a {@link VideoQueue}, by index: its planes' memory and what the last {@code VIDIOC_DQBUF} said
 * about it (bytes used, sequence, timestamp, field, flags). The queue makes one object per index when buffers are
 * allocated or imported and hands out that same object on every dequeue, updated in place, so the streaming loop
 * allocates nothing: read what you need before queueing the buffer again.
 *
 * <p>Memory: an {@link Memory#MMAP} buffer's planes are mapped in the queue's arena ({@link #plane(int)}), valid
 * until the queue releases its buffers or closes, after which access throws {@link IllegalStateException}. A
 * {@link Memory#DMABUF} buffer keeps the dma-bufs it was imported with ({@link #dmaBuf(int)}, borrowed from the
 * caller, paired with this index for the queue's life).
 *
 * <p>Not thread-safe: the thread that dequeued the buffer reads it and queues it again.
 */
public final class VideoBuffer {
    final VideoQueue queue;
    final int index;
    final int generation;
    final Memory memory;
    final int planeCount;
    final long[] lengths;
    final int[] memOffsets;
    final MemorySegment[] mappings;
    final DmaBuf[] imported;
    final OwnedFd[] importedFds;
    final int[] bytesUsed;
    final int[] dataOffsets;
    final Optional<VideoBuffer> present = Optional.of(this);
    int flags;
    int field;
    int sequence;
    long timestampSeconds;
    long timestampMicros;
    boolean queued;

    VideoBuffer(VideoQueue queue, int index, int generation, Memory memory, long[] lengths, int[] memOffsets,
                MemorySegment[] mappings, DmaBuf[] imported, OwnedFd[] importedFds) {
        this.queue = queue;
        this.index = index;
        this.generation = generation;
        this.memory = memory;
        this.planeCount = lengths.length;
        this.lengths = lengths;
        this.memOffsets = memOffsets;
        this.mappings = mappings;
        this.imported = imported;
        this.importedFds = importedFds;
        this.bytesUsed = new int[planeCount];
        this.dataOffsets = new int[planeCount];
        this.field = Field.NONE.value();
    }

    /**
     * What an output buffer carries until the caller says otherwise: the format's field and, per plane, the
     * format's {@code sizeimage} (not the page-rounded {@code length}: an encoder would read the tail as picture).
     */
    void defaultOutput(VideoFormat format) {
        field = format.field().value();
        int planes = Math.min(planeCount, format.planes().size());
        for (int p = 0; p < planes; p++) {
            bytesUsed[p] = (int) Math.min(Math.min(format.sizeImage(p), lengths[p]), Integer.MAX_VALUE);
        }
    }

    /** The buffer's index in its queue ({@code v4l2_buffer.index}). */
    public int index() {
        return index;
    }

    /** How the buffer's memory came ({@code MMAP} or {@code DMABUF}). */
    public Memory memory() {
        return memory;
    }

    /** How many memory planes it has (1 for the single-planar API; one per buffer of an {@code M} format). */
    public int planeCount() {
        return planeCount;
    }

    /** The size of plane {@code plane}'s memory ({@code length}). */
    public long length(int plane) {
        return lengths[plane];
    }

    /**
     * Plane {@code plane} of an MMAP buffer, mapped read-write in the queue's arena: the whole {@link #length}; the
     * data starts at {@link #dataOffset} and takes {@link #bytesUsed} bytes.
     *
     * @throws IllegalStateException for a DMABUF buffer (read its {@link #dmaBuf})
     */
    public MemorySegment plane(int plane) {
        if (mappings == null) {
            throw new IllegalStateException("buffer " + index + " is a V4L2_MEMORY_DMABUF buffer: map its DmaBuf");
        }
        return mappings[plane];
    }

    /**
     * The dma-buf plane {@code plane} of a DMABUF buffer was imported with; borrowed: the caller that imported it
     * still owns it.
     *
     * @throws IllegalStateException for an MMAP buffer (export it with {@link #export})
     */
    public DmaBuf dmaBuf(int plane) {
        if (imported == null) {
            throw new IllegalStateException("buffer " + index + " is a V4L2_MEMORY_MMAP buffer: export it");
        }
        return imported[plane];
    }

    /**
     * Maps plane {@code plane} of an MMAP buffer once more, in the caller's arena (any kind). While such a mapping
     * is open, the queue refuses to free its buffers ({@code VIDIOC_REQBUFS}): close the arena first.
     *
     * @throws KernelException the failed {@code mmap}; {@link io.zeroframe.bindings.DeviceGoneException} once the
     *         device is gone
     * @throws IllegalStateException for a buffer freed since ({@link VideoQueue#release()}, a new allocation)
     */
    public MemorySegment map(int plane, Arena arena) throws KernelException {
        return queue.map(this, plane, arena);
    }

    /**
     * Exports plane {@code plane} of an MMAP buffer as a dma-buf ({@code VIDIOC_EXPBUF}, {@code O_RDWR |
     * O_CLOEXEC}); the caller owns the result. The memory lives as long as the dma-buf, also after the queue
     * frees its buffers.
     *
     * @throws KernelException EINVAL for a DMABUF buffer or a driver that cannot export
     * @throws IllegalStateException for a buffer freed since ({@link VideoQueue#release()}, a new allocation): its
     *         index may name another buffer now
     */
    public DmaBuf export(int plane) throws KernelException {
        return queue.export(this, plane);
    }

    /** Bytes of plane {@code plane} holding data ({@code bytesused}), as dequeued or as set for queueing. */
    public int bytesUsed(int plane) {
        return bytesUsed[plane];
    }

    /** Sets the bytes of plane {@code plane} to hand to an output queue ({@code bytesused}). */
    public void setBytesUsed(int plane, int bytes) {
        if (bytes < 0 || bytes > lengths[plane]) {
            throw new IllegalArgumentException("bytesused " + bytes + " of buffer " + index + " plane " + plane
                    + " is outside 0.." + lengths[plane]);
        }
        bytesUsed[plane] = bytes;
    }

    /** Where the data of plane {@code plane} starts ({@code data_offset}, multi-planar API only). */
    public int dataOffset(int plane) {
        return dataOffsets[plane];
    }

    /** Sets {@code data_offset} of plane {@code plane} for an output queue (multi-planar API). */
    public void setDataOffset(int plane, int offset) {
        if (offset < 0 || offset > lengths[plane]) {
            throw new IllegalArgumentException("data_offset " + offset + " of buffer " + index + " plane " + plane
                    + " is outside 0.." + lengths[plane]);
        }
        dataOffsets[plane] = offset;
    }

    /** The frame counter the driver gave ({@code sequence}). */
    public int sequence() {
        return sequence;
    }

    /**
     * The timestamp in nanoseconds ({@code timestamp}, a {@code timeval}): {@code CLOCK_MONOTONIC} for capture
     * drivers that set {@link BufferFlag#TIMESTAMP_MONOTONIC}, the output buffer's timestamp for memory-to-memory
     * drivers with {@link BufferFlag#TIMESTAMP_COPY}.
     */
    public long timestampNanos() {
        return timestampSeconds * 1_000_000_000L + timestampMicros * 1_000L;
    }

    /** Sets the timestamp an output buffer carries (microsecond resolution, as {@code timeval}). */
    public void setTimestampNanos(long nanos) {
        timestampSeconds = nanos / 1_000_000_000L;
        timestampMicros = (nanos % 1_000_000_000L) / 1_000L;
    }

    /** The field of the frame ({@code field}). */
    public Field field() {
        return Field.of(field);
    }

    /** Sets the field an output buffer carries (by default the output format's field). */
    public void setField(Field value) {
        field = value.value();
    }

    /** The raw {@code V4L2_BUF_FLAG_*} bits of the last dequeue. */
    public int flagBits() {
        return flags;
    }

    /** The flags of the last dequeue as a new set (allocates; {@link #isError()}/{@link #isLast()} do not). */
    public Set<BufferFlag> flags() {
        return BufferFlag.decode(flags);
    }

    /** {@code V4L2_BUF_FLAG_ERROR}: the frame may be corrupt or was dropped. */
    public boolean isError() {
        return (flags & BufferFlag.ERROR.bit()) != 0;
    }

    /** {@code V4L2_BUF_FLAG_LAST}: the last buffer before a drain or stop. */
    public boolean isLast() {
        return (flags & BufferFlag.LAST.bit()) != 0;
    }

    /** Whether the buffer is with the driver (queued and not dequeued yet). */
    public boolean isQueued() {
        return queued;
    }

    @Override
    public String toString() {
        return "VideoBuffer[" + index + " " + memory + " seq " + sequence + " flags " + flags() + "]";
    }
}
