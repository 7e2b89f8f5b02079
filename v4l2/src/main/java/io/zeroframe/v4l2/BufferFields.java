package io.zeroframe.v4l2;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.zeroframe.bindings.videodev2.timeval;
import io.zeroframe.bindings.videodev2.v4l2_buffer;
import io.zeroframe.bindings.videodev2.v4l2_plane;
import java.lang.foreign.MemorySegment;

/** Offsets of the {@code struct v4l2_buffer} and {@code struct v4l2_plane} fields the queue reads and writes. */
final class BufferFields {
    static final long INDEX = v4l2_buffer.index$offset();
    static final long TYPE = v4l2_buffer.type$offset();
    static final long BYTESUSED = v4l2_buffer.bytesused$offset();
    static final long FLAGS = v4l2_buffer.flags$offset();
    static final long FIELD = v4l2_buffer.field$offset();
    static final long TV_SEC = v4l2_buffer.timestamp$offset() + timeval.tv_sec$offset();
    static final long TV_USEC = v4l2_buffer.timestamp$offset() + timeval.tv_usec$offset();
    static final long SEQUENCE = v4l2_buffer.sequence$offset();
    static final long MEMORY = v4l2_buffer.memory$offset();
    static final long M = v4l2_buffer.m$offset();
    static final long LENGTH = v4l2_buffer.length$offset();
    static final long PLANE_SIZE = v4l2_plane.layout().byteSize();
    static final long PLANE_BYTESUSED = v4l2_plane.bytesused$offset();
    static final long PLANE_LENGTH = v4l2_plane.length$offset();
    static final long PLANE_M = v4l2_plane.m$offset();
    static final long PLANE_DATA_OFFSET = v4l2_plane.data_offset$offset();

    private BufferFields() {}

    /**
     * Clears {@code buffer} for a call that the driver fills (QUERYBUF, DQBUF): index, type and memory set, and for
     * the multi-planar API {@code planes} (room for {@link VideoFormat#MAX_PLANES}) cleared and pointed to.
     */
    static void prepare(MemorySegment buffer, MemorySegment planes, int index, BufferType type, Memory memory) {
        buffer.fill((byte) 0);
        buffer.set(JAVA_INT, INDEX, index);
        buffer.set(JAVA_INT, TYPE, type.value());
        buffer.set(JAVA_INT, MEMORY, memory.value());
        if (type.isMultiPlanar()) {
            planes.fill((byte) 0);
            buffer.set(JAVA_INT, LENGTH, VideoFormat.MAX_PLANES);
            buffer.set(ADDRESS, M, planes);
        }
    }
}
