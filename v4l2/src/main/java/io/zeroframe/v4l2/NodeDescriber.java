package io.zeroframe.v4l2;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.v4l2.control.ControlFlag;
import io.zeroframe.v4l2.control.ControlInfo;
import io.zeroframe.v4l2.control.ControlValue;
import io.zeroframe.v4l2.format.FormatOffer;
import io.zeroframe.v4l2.io.VideoInput;
import io.zeroframe.v4l2.io.VideoOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Gathers a {@link VideoNodeDescription}: optional parts the driver lacks (ENOTTY, EINVAL, ENODATA) are left out. */
final class NodeDescriber {
    /** The queues {@link VideoQueue} streams. */
    private static final java.util.Set<BufferType> STREAMING_TYPES = java.util.EnumSet.of(BufferType.VIDEO_CAPTURE,
            BufferType.VIDEO_OUTPUT, BufferType.VIDEO_CAPTURE_MPLANE, BufferType.VIDEO_OUTPUT_MPLANE,
            BufferType.META_CAPTURE, BufferType.META_OUTPUT);

    private NodeDescriber() {}

    static VideoNodeDescription describe(VideoDevice device) throws KernelException {
        Map<BufferType, List<FormatOffer>> formats = new LinkedHashMap<>();
        Map<BufferType, StreamParameters> parameters = new LinkedHashMap<>();
        Map<BufferType, QueueInfo> queues = new LinkedHashMap<>();
        boolean streaming = device.info().deviceCapabilities().contains(VideoCapability.STREAMING);
        for (BufferType type : device.bufferTypes()) {
            if (FormatEnumeration.hasFormats(type)) {
                formats.put(type, device.formatOffers(type));
            }
            try {
                parameters.put(type, device.streamParameters(type));
            } catch (KernelException e) {
                optional(e);
            }
            if (streaming && STREAMING_TYPES.contains(type)) {
                try (VideoQueue queue = device.openQueue(type)) {
                    queues.put(type, queue.info());
                } catch (KernelException e) {
                    if (e.errno() != Errno.EBUSY) { // another file handle owns the queue
                        optional(e);
                    }
                }
            }
        }
        List<VideoInput> inputs = device.inputs();
        int input = -1;
        if (!inputs.isEmpty()) {
            input = device.input();
        }
        List<VideoOutput> outputs = device.outputs();
        int output = -1;
        if (!outputs.isEmpty()) {
            output = device.output();
        }
        List<ControlInfo> controls = device.controls().refresh(); // another file handle may have changed them
        Map<Integer, ControlValue> values = new LinkedHashMap<>();
        List<ControlInfo> readable = new ArrayList<>();
        for (ControlInfo c : controls) {
            if (!c.isClassHeading() && !c.isWriteOnly() && !c.flags().contains(ControlFlag.DISABLED)) {
                readable.add(c);
            }
        }
        for (ControlInfo c : readable) {
            try {
                values.put(c.id(), device.controls().get(c));
            } catch (KernelException e) {
                optional(e); // e.g. a payload type the driver refuses to read now
            }
        }
        return new VideoNodeDescription(device.info(), formats, inputs, input, outputs, output, parameters, queues,
                controls,
                values);
    }

    /** Rethrows failures that are not "the driver does not have this". */
    private static void optional(KernelException e) throws KernelException {
        int errno = e.errno();
        if (e instanceof io.zeroframe.bindings.DeviceGoneException || e instanceof io.zeroframe.bindings.FdClosedException
                || !(errno == Errno.ENOTTY || errno == Errno.EINVAL || errno == Errno.ENODATA
                || errno == Errno.EACCES || errno == Errno.ENOSPC)) {
            throw e;
        }
    }
}
