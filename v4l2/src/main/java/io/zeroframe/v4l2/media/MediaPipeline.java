package io.zeroframe.v4l2.media;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.videodev2.v4l2_fmtdesc;
import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.FourCc;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.VideoFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Configures the path through a media graph that feeds a capture video node, as {@code media-ctl -l ... -V ...} does
 * by hand: without it the video node's {@code VIDIOC_STREAMON} fails with EPIPE (the formats on the two ends of a link
 * disagree, or a link is off).
 *
 * {@snippet :
 * try (MediaDevice media = MediaDevice.open(Path.of("/dev/media0"));
 *      VideoDevice capture = VideoDevice.open(Path.of("/dev/video2"))) {
 *     PipelineConfiguration result = MediaPipeline.configure(media, capture,
 *             MediaBusFormat.of(MediaBusCode.SRGGB8_1X8, 640, 480),   // what the sensor produces
 *             MediaBusFormat.of(MediaBusCode.RGB888_1X24, 320, 240),  // what the video node receives
 *             null);
 *     if (!result.isComplete()) {
 *         System.out.println(result.refusal().orElseThrow()); // e.g. "Sensor A":0 asked .../8000x6000, answered ...
 *     }
 * }
 * }
 *
 * <p>The steps: find the video node's entity ({@link MediaTopology#entityOfNode}); walk the data links back from its
 * sink pad to an entity without sink pads, preferring enabled links and a camera sensor
 * ({@link EntityFunction#CAM_SENSOR}); enable the links on that path ({@code MEDIA_IOC_SETUP_LINK}), first disabling
 * other enabled links into the same sink pads; then set formats pad by pad from the source
 * ({@code VIDIOC_SUBDEV_S_FMT}, {@link Which#ACTIVE}):
 * <ul>
 * <li>the source entity's pad gets the requested code and size;
 * <li>every sink pad gets exactly what the pad upstream answered (a link must carry one format);
 * <li>every other source pad keeps its sink's code when it offers it, else (a format converter such as a debayer)
 *     takes the requested output code, or the first code it offers; and gets the requested output size when it can
 *     produce it (asked first with {@link Which#TRY}: a scaler), else its sink's size.
 * </ul>
 * The first answer that breaks this (another size at the source or a sink, a size the last pad cannot scale to) is
 * the {@link PipelineConfiguration#refusal()}: configuration stops there and the video node is left alone. Otherwise
 * the video node gets the pixel format for the final code ({@code VIDIOC_ENUM_FMT} with {@code mbus_code}, unless one
 * is given) at the output size ({@code VIDIOC_S_FMT}).
 *
 * <p>Refusals are values; exceptions are left for calls that fail (EBUSY while streaming, a device gone) and for a
 * video node that is not in the graph.
 */
public final class MediaPipeline {
    private static final IoctlRequest VIDIOC_ENUM_FMT = IoctlRequest.of("VIDIOC_ENUM_FMT", videodev2_h.VIDIOC_ENUM_FMT());

    private MediaPipeline() {}

    /**
     * {@link #configure(MediaDevice, VideoDevice, MediaBusFormat, MediaBusFormat, FourCc)} with one code and size from
     * the source to the video node, and the node's pixel format asked of the node.
     */
    public static PipelineConfiguration configure(MediaDevice media, VideoDevice video, MediaBusCode code, int width,
                                                  int height) throws KernelException {
        MediaBusFormat format = MediaBusFormat.of(code, width, height);
        return configure(media, video, format, format, null);
    }

    /**
     * Configures the path from a source entity to {@code video}: the source produces {@code source}'s code and size,
     * and the video node receives {@code output}'s size; a format converter on the path (a debayer) produces
     * {@code output}'s code when it offers it, and a scaler the output size.
     *
     * @param media       the media device {@code video} belongs to (borrowed)
     * @param video       the capture video node at the end of the path (borrowed; its format is set)
     * @param source      the code and size the source entity's pad is asked for
     * @param output      the size the video node should receive, and the code converters should prefer
     * @param pixelFormat the video node's pixel format, or {@code null} to ask the node which one carries the final
     *                    media-bus code ({@code VIDIOC_ENUM_FMT} with {@code mbus_code}, V4L2_CAP_IO_MC nodes)
     * @throws KernelException EINVAL naming the node when {@code video} is not an entity of {@code media}'s graph or
     *         no path leads to it; {@code MEDIA_IOC_SETUP_LINK}, {@code VIDIOC_SUBDEV_S_FMT} or {@code VIDIOC_S_FMT}
     *         failures (EBUSY while streaming); a {@code VIDIOC_ENUM_FMT} EINVAL when the node names no pixel format
     *         for the final code
     */
    public static PipelineConfiguration configure(MediaDevice media, VideoDevice video, MediaBusFormat source,
                                                  MediaBusFormat output, FourCc pixelFormat) throws KernelException {
        int outputWidth = output.width();
        int outputHeight = output.height();
        MediaTopology graph = media.topology();
        MediaEntity capture = graph.entityOfNode(video.path()).orElseThrow(() -> KernelException.of(
                "MEDIA_IOC_G_TOPOLOGY", media.path().toString(), Errno.EINVAL, video.path()
                        + " is not a video node of this media device; its entities: " + graph.entities().stream()
                        .map(MediaEntity::name).toList()));
        List<MediaLink> path = pathTo(graph, capture).orElseThrow(() -> KernelException.of("MEDIA_IOC_G_TOPOLOGY",
                media.path().toString(), Errno.EINVAL, "no data link path leads to \"" + capture.name() + "\""));
        List<String> switched = enableLinks(media, graph, path);

        List<PadStep> steps = new ArrayList<>();
        MediaPad first = graph.pad(path.getFirst().sourcePad());
        MediaBusFormat carried;
        try (SubDevice sourceDevice = openSubDevice(graph, first.entity())) {
            PadStep step = set(graph, sourceDevice, first, MediaBusFormat.of(source.code(), source.width(),
                    source.height()));
            steps.add(step);
            if (!step.accepted()) {
                return refused(path, switched, steps, step);
            }
            carried = step.answered();
        }
        for (int i = 0; i < path.size() - 1; i++) {
            MediaPad sink = graph.pad(path.get(i).sinkPad());
            MediaPad out = graph.pad(path.get(i + 1).sourcePad());
            try (SubDevice entity = openSubDevice(graph, sink.entity())) {
                PadStep in = set(graph, entity, sink, carried);
                steps.add(in);
                if (!in.accepted()) {
                    return refused(path, switched, steps, in);
                }
                MediaBusCode outCode = outputCode(entity, out, in.answered().code(), output.code());
                MediaBusFormat scaled = MediaBusFormat.of(outCode, outputWidth, outputHeight);
                entity.setFormat(sink.index(), Which.TRY, in.answered()); // the trial starts from the active input
                boolean scales = entity.setFormat(out.index(), Which.TRY, scaled).sameCodeAndSize(scaled);
                MediaBusFormat request = scales ? scaled
                        : MediaBusFormat.of(outCode, in.answered().width(), in.answered().height());
                PadStep step = set(graph, entity, out, request);
                steps.add(step);
                boolean lastPad = i == path.size() - 2;
                if (step.answered().width() != request.width() || step.answered().height() != request.height()
                        || lastPad && (step.answered().width() != outputWidth
                        || step.answered().height() != outputHeight)) {
                    return refused(path, switched, steps, step);
                }
                carried = step.answered();
            }
        }
        if (path.size() == 1 && (carried.width() != outputWidth || carried.height() != outputHeight)) {
            return refused(path, switched, steps, steps.getLast()); // nothing between the source and the node scales
        }
        FourCc fourcc = pixelFormat != null ? pixelFormat : pixelFormatFor(video, carried.code());
        VideoFormat set = video.setFormat(VideoFormat.of(BufferType.VIDEO_CAPTURE, fourcc, carried.width(),
                carried.height()));
        MediaBusFormat answered = MediaBusFormat.of(carried.code(), set.width(), set.height());
        PadStep node = new PadStep(graph.padName(path.getLast().sinkPad()) + " (" + video.path() + " " + fourcc + ")",
                carried, answered);
        steps.add(node);
        if (!node.accepted()) {
            return refused(path, switched, steps, node);
        }
        return new PipelineConfiguration(path, switched, steps, Optional.empty(), Optional.of(set));
    }

    private static PipelineConfiguration refused(List<MediaLink> path, List<String> switched, List<PadStep> steps,
                                                 PadStep refusal) {
        return new PipelineConfiguration(path, switched, steps, Optional.of(refusal), Optional.empty());
    }

    /**
     * The data links from a source entity (one without sink pads) to {@code capture}, source first: a depth-first
     * walk back from its sink pads, trying enabled links first; a path from a camera sensor wins over one from
     * another source.
     */
    static Optional<List<MediaLink>> pathTo(MediaTopology graph, MediaEntity capture) {
        List<List<MediaLink>> found = new ArrayList<>();
        for (MediaPad sink : graph.pads(capture.id())) {
            if (sink.isSink()) {
                walk(graph, sink, new ArrayList<>(), new HashSet<>(), found);
            }
        }
        return found.stream().filter(p -> graph.entity(graph.pad(p.getFirst().sourcePad()).entity()).function()
                == EntityFunction.CAM_SENSOR).findFirst().or(() -> found.stream().findFirst());
    }

    private static void walk(MediaTopology graph, MediaPad sink, List<MediaLink> tail, Set<EntityId> seen,
                             List<List<MediaLink>> found) {
        if (!seen.add(sink.entity())) {
            return;
        }
        List<MediaLink> in = new ArrayList<>(graph.linksTo(sink.id()));
        in.sort(Comparator.comparing(l -> !l.isEnabled()));
        for (MediaLink link : in) {
            List<MediaLink> path = new ArrayList<>(tail);
            path.addFirst(link);
            MediaPad source = graph.pad(link.sourcePad());
            List<MediaPad> sinks = graph.pads(source.entity()).stream().filter(MediaPad::isSink).toList();
            if (sinks.isEmpty()) {
                found.add(List.copyOf(path));
            }
            for (MediaPad upstream : sinks) {
                walk(graph, upstream, path, new HashSet<>(seen), found);
            }
        }
    }

    /** Enables the path's links, first disabling other enabled, changeable links into the same sink pads. */
    private static List<String> enableLinks(MediaDevice media, MediaTopology graph, List<MediaLink> path)
            throws KernelException {
        List<String> switched = new ArrayList<>();
        for (MediaLink link : path) {
            if (link.isEnabled()) {
                continue;
            }
            for (MediaLink other : graph.linksTo(link.sinkPad())) {
                if (other.isEnabled() && !other.isImmutable() && !other.equals(link)) {
                    media.setupLink(other, false);
                    switched.add("disabled " + graph.linkName(other));
                }
            }
            media.setupLink(link, true);
            switched.add("enabled " + graph.linkName(link));
        }
        return switched;
    }

    private static SubDevice openSubDevice(MediaTopology graph, EntityId entity) throws KernelException {
        MediaEntity e = graph.entity(entity);
        return SubDevice.open(graph.node(entity).orElseThrow(() -> KernelException.of("open", null, Errno.ENOENT,
                "\"" + e.name() + "\" has no sub-device node (its driver registers none): its pads cannot be set")));
    }

    private static PadStep set(MediaTopology graph, SubDevice device, MediaPad pad, MediaBusFormat request)
            throws KernelException {
        return new PadStep(graph.padName(pad.id()), request, device.setFormat(pad.index(), Which.ACTIVE, request));
    }

    /**
     * The code a source pad should produce: its sink's when it offers it (no conversion), else the wanted output code
     * when it offers that, else the first it offers.
     */
    private static MediaBusCode outputCode(SubDevice device, MediaPad pad, MediaBusCode in, MediaBusCode wanted)
            throws KernelException {
        List<MediaBusCode> offered = device.mbusCodes(pad.index(), Which.ACTIVE);
        return offered.contains(in) ? in : offered.contains(wanted) ? wanted : offered.getFirst();
    }

    /**
     * The pixel format {@code video} captures {@code code} into: {@code VIDIOC_ENUM_FMT} with {@code mbus_code} set
     * (drivers with {@code V4L2_CAP_IO_MC} list only the formats that carry it), on a second fd of the node that is
     * closed again.
     */
    static FourCc pixelFormatFor(VideoDevice video, MediaBusCode code) throws KernelException {
        try (OwnedFd fd = Syscalls.open(video.path(), Syscalls.O_RDWR | Syscalls.O_NONBLOCK);
             Arena arena = Arena.ofConfined()) {
            MemorySegment d = v4l2_fmtdesc.allocate(arena);
            d.fill((byte) 0);
            v4l2_fmtdesc.type(d, BufferType.VIDEO_CAPTURE.value());
            v4l2_fmtdesc.mbus_code(d, code.value());
            int result = Syscalls.tryIoctl(fd, VIDIOC_ENUM_FMT, d);
            if (result < 0) {
                throw KernelException.of(VIDIOC_ENUM_FMT.name(), video.path().toString(), -result,
                        "no pixel format carries media-bus code " + code + " on this node; pass one");
            }
            return new FourCc(v4l2_fmtdesc.pixelformat(d));
        }
    }
}
