package io.zeroframe.v4l2;

import io.zeroframe.bindings.videodev2.videodev2_h;

/**
 * Where a queue's buffers live ({@code enum v4l2_memory}, {@code V4L2_MEMORY_*}): {@link #MMAP} buffers the driver
 * allocates (mapped into the process, exportable as dma-bufs with {@code VIDIOC_EXPBUF}), {@link #DMABUF} buffers
 * the application imports as dma-buf fds, {@link #USERPTR} plain process memory.
 */
public enum Memory {
    MMAP(videodev2_h.V4L2_MEMORY_MMAP()),
    USERPTR(videodev2_h.V4L2_MEMORY_USERPTR()),
    OVERLAY(videodev2_h.V4L2_MEMORY_OVERLAY()),
    DMABUF(videodev2_h.V4L2_MEMORY_DMABUF());

    private final int value;

    Memory(int value) {
        this.value = value;
    }

    /** The kernel's {@code V4L2_MEMORY_*} value. */
    public int value() {
        return value;
    }

    /** The kernel name, e.g. {@code V4L2_MEMORY_DMABUF}, for messages. */
    public String kernelName() {
        return "V4L2_MEMORY_" + name();
    }
}
