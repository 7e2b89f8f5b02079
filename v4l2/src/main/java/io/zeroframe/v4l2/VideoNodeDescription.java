package io.zeroframe.v4l2;

import io.zeroframe.v4l2.control.ControlInfo;
import io.zeroframe.v4l2.control.ControlValue;
import io.zeroframe.v4l2.control.Controls;
import io.zeroframe.v4l2.control.MenuItem;
import io.zeroframe.v4l2.format.FormatDescription;
import io.zeroframe.v4l2.format.FormatOffer;
import io.zeroframe.v4l2.format.FrameIntervals;
import io.zeroframe.v4l2.format.FrameSize;
import io.zeroframe.v4l2.format.FrameSizes;
import io.zeroframe.v4l2.io.VideoInput;
import io.zeroframe.v4l2.io.VideoOutput;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Everything a video node offers, gathered in one pass ({@link VideoDevice#describe()}): what it is, the formats
 * of each of its queues with their frame sizes and intervals, its inputs and outputs, the frame interval of each
 * queue, and its controls with their current values. An immutable snapshot for negotiation (the pipeline) and for
 * people ({@link #toString()} is the multi-line text {@code samples info} prints).
 *
 * @param info          what {@code VIDIOC_QUERYCAP} said
 * @param formats       for each queue that has formats, its offers ({@link VideoDevice#formatOffers(BufferType)})
 * @param inputs        the inputs ({@code VIDIOC_ENUMINPUT}), empty for nodes without
 * @param currentInput  the selected input, -1 for nodes without inputs
 * @param outputs       the outputs ({@code VIDIOC_ENUMOUTPUT}), empty for nodes without
 * @param currentOutput the selected output, -1 for nodes without outputs
 * @param parameters    for each queue whose driver has streaming parameters, those ({@code VIDIOC_G_PARM})
 * @param queues        for each streaming queue, what it supports: memory types (MMAP and export, DMABUF
 *                      import), buffer counts ({@link VideoQueue#info()}); absent while another file handle owns
 *                      the queue (EBUSY)
 * @param controls      the controls, class headings included ({@link Controls#list()})
 * @param values        the current value of each readable control, by id (write-only ones and those the driver
 *                      refused to read are absent)
 */
public record VideoNodeDescription(VideoDeviceInfo info, Map<BufferType, List<FormatOffer>> formats,
                                   List<VideoInput> inputs, int currentInput, List<VideoOutput> outputs,
                                   int currentOutput, Map<BufferType, StreamParameters> parameters,
                                   Map<BufferType, QueueInfo> queues, List<ControlInfo> controls, Map<Integer, ControlValue> values) {
    public VideoNodeDescription {
        formats = Collections.unmodifiableMap(new LinkedHashMap<>(formats));
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        queues = Collections.unmodifiableMap(new LinkedHashMap<>(queues));
        controls = List.copyOf(controls);
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The offers of {@code type}'s queue; empty if the node has no such queue. */
    public List<FormatOffer> formats(BufferType type) {
        return formats.getOrDefault(type, List.of());
    }

    /** The first offer of {@code type}'s queue whose fourcc is {@code fourcc}. */
    public Optional<FormatOffer> offer(BufferType type, FourCc fourcc) {
        return formats(type).stream().filter(o -> o.format().fourcc().equals(fourcc)).findFirst();
    }

    /** A multi-line, human-readable description: identity, queues with formats, sizes and frame rates, inputs, outputs, controls. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        s.append(info.path()).append(": ").append(info.driver()).append(" \"").append(info.card()).append('"');
        if (!info.name().isEmpty() && !info.name().equals(info.card())) {
            s.append(" (").append(info.name()).append(')');
        }
        s.append(", ").append(info.busInfo()).append(", version ").append(info.version() >>> 16).append('.')
                .append(info.version() >>> 8 & 0xff).append('.').append(info.version() & 0xff).append('\n');
        s.append("  capabilities: ").append(info.deviceCapabilities().stream().map(Enum::name)
                .collect(Collectors.joining(", ")));
        if (info.unknownCapabilityBits() != 0) {
            s.append(String.format(", 0x%08x", info.unknownCapabilityBits()));
        }
        s.append('\n');
        for (VideoInput in : inputs) {
            s.append("  input ").append(in).append(in.index() == currentInput ? " (selected)" : "").append('\n');
        }
        for (VideoOutput out : outputs) {
            s.append("  output ").append(out).append(out.index() == currentOutput ? " (selected)" : "").append('\n');
        }
        for (Map.Entry<BufferType, List<FormatOffer>> queue : formats.entrySet()) {
            s.append("  queue ").append(queue.getKey().kernelName()).append(": ").append(queue.getValue().size())
                    .append(queue.getValue().size() == 1 ? " format" : " formats");
            StreamParameters p = parameters.get(queue.getKey());
            if (p != null && p.timePerFrame().denominator() != 0 && p.timePerFrame().numerator() != 0) {
                s.append(", ").append(fps(p.timePerFrame())).append(" fps now")
                        .append(p.timePerFrameSettable() ? " (settable)" : "");
            }
            QueueInfo q = queues.get(queue.getKey());
            if (q != null) {
                s.append("; buffers: ").append(q.capabilities().stream().map(Enum::name)
                        .collect(Collectors.joining(", "))).append(", up to ").append(q.maxBuffers())
                        .append(q.createBuffers() ? ", CREATE_BUFS" : "");
            }
            s.append('\n');
            for (FormatOffer offer : queue.getValue()) {
                FormatDescription f = offer.format();
                s.append("    ").append(f);
                f.pixelFormat().ifPresent(pf -> s.append(" = ").append(pf));
                s.append('\n');
                switch (offer.sizes()) {
                    case FrameSizes.Discrete d -> {
                        for (FrameSize size : d.sizes()) {
                            s.append("      ").append(size);
                            if (offer.intervalsAt(size) instanceof FrameIntervals.Discrete i && !i.intervals().isEmpty()) {
                                s.append(" @ ").append(i.intervals().stream().map(VideoNodeDescription::fps)
                                        .collect(Collectors.joining(", "))).append(" fps");
                            } else if (!(offer.intervalsAt(size) instanceof FrameIntervals.Discrete)) {
                                s.append(" @ ").append(offer.intervalsAt(size));
                            }
                            s.append('\n');
                        }
                    }
                    case FrameSizes.Stepwise st -> s.append("      ").append(st).append('\n');
                    case FrameSizes.Continuous c -> s.append("      ").append(c).append('\n');
                }
            }
        }
        if (!controls.isEmpty()) {
            s.append("  controls:\n");
        }
        for (ControlInfo c : controls) {
            if (c.isClassHeading()) {
                s.append("    ").append(c.name()).append('\n');
                continue;
            }
            s.append("      ").append(c);
            ControlValue v = values.get(c.id());
            if (v != null) {
                s.append(" value=").append(valueText(v));
            }
            s.append('\n');
            for (MenuItem item : c.menu()) {
                s.append("        ").append(item).append('\n');
            }
        }
        return s.toString();
    }

    private static String valueText(ControlValue v) {
        String text = v.toString();
        return text.substring(text.indexOf('=') + 1);
    }

    private static String fps(Fraction interval) {
        double fps = interval.perSecond();
        return fps == Math.rint(fps) ? Long.toString((long) fps) : String.format("%.3f", fps);
    }
}
