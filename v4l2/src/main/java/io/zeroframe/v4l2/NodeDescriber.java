package io.zeroframe.v4l2;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Gathers a {@link VideoNodeDescription}: optional parts the driver lacks (ENOTTY, EINVAL, ENODATA) are left out. */
final class NodeDescriber {
    private NodeDescriber() {}

    static VideoNodeDescription describe(VideoDevice device) throws KernelException {
        Map<BufferType, List<FormatOffer>> formats = new LinkedHashMap<>();
        Map<BufferType, StreamParameters> parameters = new LinkedHashMap<>();
        for (BufferType type : device.bufferTypes()) {
            if (FormatEnumeration.hasFormats(type)) {
                formats.put(type, device.formatOffers(type));
            }
            try {
                parameters.put(type, device.streamParameters(type));
            } catch (KernelException e) {
                optional(e);
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
        List<ControlInfo> controls = device.controls().list();
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
        return new VideoNodeDescription(device.info(), formats, inputs, input, outputs, output, parameters, controls,
                values);
    }

    /** Rethrows failures that are not "the driver does not have this". */
    private static void optional(KernelException e) throws KernelException {
        int errno = e.errno();
        if (e instanceof io.zeroframe.bindings.DeviceGoneException || e instanceof io.zeroframe.bindings.FdClosedException
                || !(errno == Errno.ENOTTY || errno == Errno.EINVAL || errno == MoreErrno.ENODATA
                || errno == Errno.EACCES || errno == Errno.ENOSPC)) {
            throw e;
        }
    }
}
