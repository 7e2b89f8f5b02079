package io.zeroframe.v4l2;

import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_CREATE_BUFS;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_REQBUFS;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.videodev2.v4l2_create_buffers;
import io.zeroframe.bindings.videodev2.v4l2_format;
import io.zeroframe.bindings.videodev2.v4l2_requestbuffers;
import io.zeroframe.bindings.videodev2.videodev2_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;

/** What a queue supports, asked when it opens: {@code VIDIOC_CREATE_BUFS} count 0, or {@code VIDIOC_REQBUFS}. */
final class QueueProbe {
    private static final int DEFAULT_MAX_BUFFERS = 32; // VB2_MAX_FRAME before Linux 6.10

    private QueueProbe() {}

    /**
     * @throws KernelException {@code VIDIOC_REQBUFS} EINVAL naming the node's queues when it has no {@code type}
     *         queue
     */
    static QueueInfo describe(VideoDevice device, OwnedFd fd, BufferType type) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment create = v4l2_create_buffers.allocate(arena);
            for (Memory kind : new Memory[] {Memory.MMAP, Memory.DMABUF}) {
                create.fill((byte) 0);
                v4l2_create_buffers.memory(create, kind.value());
                v4l2_format.type(v4l2_create_buffers.format(create), type.value());
                int result = device.tryIoctl(fd, VIDIOC_CREATE_BUFS, create);
                if (result == 0) {
                    int caps = v4l2_create_buffers.capabilities(create);
                    int max = (caps & videodev2_h.V4L2_BUF_CAP_SUPPORTS_MAX_NUM_BUFFERS()) != 0
                            ? v4l2_create_buffers.max_num_buffers(create)
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
            int result = device.tryIoctl(fd, VIDIOC_REQBUFS, request);
            Set<BufferType> types = device.bufferTypes();
            if (result == -Errno.EINVAL && !types.contains(type)) {
                throw device.failure("VIDIOC_REQBUFS", Errno.EINVAL, "the node has no " + type.kernelName()
                        + " queue; its queues: " + types);
            }
            if (result < 0 && result != -Errno.EINVAL) {
                throw device.failure("VIDIOC_REQBUFS", -result, "asking " + type.kernelName() + " what it supports");
            }
            int caps = v4l2_requestbuffers.capabilities(request);
            return new QueueInfo(type, QueueCapability.decode(caps), QueueCapability.unknownBits(caps),
                    DEFAULT_MAX_BUFFERS, false, Syscalls.pageSize());
        }
    }
}
