package io.zeroframe.v4l2.negotiation;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.BufferSink;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.Endpoint;
import io.zeroframe.dmabuf.negotiation.FormatOffer;
import io.zeroframe.dmabuf.negotiation.Role;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.FourCc;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.VideoFormat;
import io.zeroframe.v4l2.VideoQueue;
import io.zeroframe.v4l2.format.FormatDescription;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A V4L2 queue (capture, output, or either side of a memory-to-memory device) in an allocation negotiation: its
 * {@link Endpoint} description, read from the driver, and its working sides for the planner's trials.
 *
 * <p>The description ({@link #of}, for frames of one size):
 * <ul>
 *   <li>name {@code "<driver> <node> <capture|output>"}, e.g. {@code "vivid /dev/video0 capture"};</li>
 *   <li>offers: every format of {@code VIDIOC_ENUM_FMT} that the frame model knows, in the driver's order,
 *       {@link io.zeroframe.dmabuf.Modifier#LINEAR} only, with limits from {@code VIDIOC_ENUM_FRAMESIZES} and two
 *       {@code VIDIOC_TRY_FMT} at the frame size (the driver's {@code bytesperline}, and whether it keeps a padded
 *       one; see {@link Offers#limits}); planes may lie in separate buffers for an {@code M} format and for a
 *       contiguous format whose {@code M} variant the queue also offers;</li>
 *   <li>imports: the queue supports {@code V4L2_MEMORY_DMABUF} ({@code V4L2_BUF_CAP_SUPPORTS_DMABUF});</li>
 *   <li>exports: the queue supports {@code V4L2_MEMORY_MMAP}, whose vb2 buffers {@code VIDIOC_EXPBUF} exports;
 *       it honours a requested pitch when every offered format kept the padded {@code bytesperline};</li>
 *   <li>holds: {@code V4L2_CID_MIN_BUFFERS_FOR_CAPTURE} or {@code _FOR_OUTPUT} where the driver has it
 *       ({@link VideoDevice#minBuffers}), else 1: the buffer the device is writing or reading.</li>
 * </ul>
 * The trials ({@link #source()}, {@link #sink()}) set the queue's format ({@code VIDIOC_S_FMT}) to the
 * candidate's and leave it so; they leave no buffer, fd or mapping behind.
 *
 * {@snippet :
 * try (VideoDevice camera = VideoDevice.open(node);
 *      VideoQueue queue = camera.openQueue(BufferType.VIDEO_CAPTURE)) {
 *     VideoEndpoint vivid = VideoEndpoint.of(queue, Role.PRODUCER, 640, 480);
 *     DeviceTrials.Builder trials = DeviceTrials.builder().sink(vivid.sink());
 *     vivid.source().ifPresent(trials::source);          // the camera may allocate
 *     Plan plan = Planner.builder(640, 480).producer(vivid.endpoint()).consumer(display)
 *             .build().plan(trials.build());
 * }
 * }
 *
 * <p>Borrows the queue: it must stay open while the endpoint is used. Not thread-safe.
 */
public final class VideoEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(VideoEndpoint.class);

    private final Endpoint endpoint;
    private final Optional<BufferSource> source;
    private final BufferSink sink;

    private VideoEndpoint(VideoQueue queue, Endpoint endpoint) {
        this.endpoint = endpoint;
        this.source = endpoint.exports().map(allocator -> new QueueSource(queue, allocator));
        this.sink = new QueueSink(queue, endpoint);
    }

    /**
     * Describes {@code queue} for frames of {@code width x height}, asking its driver (see the class comment).
     * Changes nothing on the device ({@code VIDIOC_TRY_FMT} only).
     *
     * @param role {@link Role#PRODUCER} or {@link Role#STAGE} for a capture queue, {@link Role#CONSUMER} or
     *             {@link Role#STAGE} for an output queue
     * @throws IllegalArgumentException for a role the queue cannot have, a size that is not positive, or a queue
     *         that is not a video queue
     * @throws KernelException from the driver's answers; {@link io.zeroframe.bindings.DeviceGoneException}
     */
    public static VideoEndpoint of(VideoQueue queue, Role role, int width, int height) throws KernelException {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(role, "role");
        BufferType type = queue.type();
        VideoDevice device = queue.device();
        String name = nameOf(queue);
        if (type != BufferType.VIDEO_CAPTURE && type != BufferType.VIDEO_CAPTURE_MPLANE
                && type != BufferType.VIDEO_OUTPUT && type != BufferType.VIDEO_OUTPUT_MPLANE) {
            throw new IllegalArgumentException(name + ": " + type.kernelName() + " is not a video queue");
        }
        if (type.isCapture() ? role == Role.CONSUMER : role == Role.PRODUCER) {
            throw new IllegalArgumentException(name + ": " + (type.isCapture() ? "a capture" : "an output")
                    + " queue cannot be a " + role);
        }
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException(name + ": frame " + width + "x" + height + " is not positive");
        }
        List<FormatDescription> formats = device.formats(type);
        Set<PixelFormat> listed = new HashSet<>();
        formats.forEach(format -> format.pixelFormat().ifPresent(listed::add));
        Endpoint.Builder builder = Endpoint.builder(name, role);
        boolean honoursPitch = true;
        boolean offered = false;
        for (FormatDescription description : formats) {
            Optional<PixelFormat> known = description.pixelFormat();
            if (known.isEmpty()) {
                continue;
            }
            PixelFormat format = known.get();
            VideoFormat tried = device.tryFormat(VideoFormat.of(type, format, width, height));
            if (!tried.fourcc().equals(description.fourcc()) || tried.planes().isEmpty()) {
                LOG.info("{}: VIDIOC_TRY_FMT of {} answered {}; not offered", name, format, tried);
                continue;
            }
            boolean honours = keepsPaddedPitch(device, type, format, tried);
            boolean separate = format.isMultiPlanar()
                    || format.multiPlanarVariant().map(listed::contains).orElse(false);
            builder.offer(FormatOffer.linear(format, Offers.limits(format, device.frameSizes(description.fourcc()),
                    tried, width, height, honours, separate)));
            honoursPitch &= honours;
            offered = true;
        }
        builder.imports(queue.info().canImport());
        if (queue.info().canExport()) {
            builder.exportsV4l2(offered && honoursPitch);
        }
        builder.holds(device.minBuffers(type).orElse(1));
        return new VideoEndpoint(queue, builder.build());
    }

    /**
     * How an endpoint of {@code queue} is named, here and in plans: {@code "<driver> <node> <capture|output>"}, e.g.
     * {@code "vivid /dev/video0 capture"}. Asks nothing of the driver.
     */
    public static String nameOf(VideoQueue queue) {
        VideoDevice device = queue.device();
        return device.info().driver() + " " + device.path() + " " + (queue.type().isCapture() ? "capture" : "output");
    }

    /**
     * Whether the driver keeps a padded {@code bytesperline} ({@code VIDIOC_TRY_FMT} with the next multiple of 64
     * above its own, per memory plane as V4L2 derives them).
     */
    private static boolean keepsPaddedPitch(VideoDevice device, BufferType type, PixelFormat format,
                                            VideoFormat tried) throws KernelException {
        long bytesPerLine = tried.planes().getFirst().bytesPerLine();
        long padded = Offers.paddedPitch(bytesPerLine);
        if (bytesPerLine == 0 || padded > Integer.MAX_VALUE || tried.width() < 1 || tried.height() < 1) {
            return false;
        }
        FrameLayout layout = FrameLayout.of(format, tried.width(), tried.height(), (int) padded);
        VideoFormat again = device.tryFormat(VideoFormat.of(type, layout));
        return again.fourcc().equals(FourCc.of(format)) && !again.planes().isEmpty()
                && again.planes().getFirst().bytesPerLine() == padded;
    }

    /** The description, for a {@link io.zeroframe.dmabuf.negotiation.Planner}. */
    public Endpoint endpoint() {
        return endpoint;
    }

    /**
     * The queue's MMAP buffers as an allocator ({@code VIDIOC_S_FMT}, {@code VIDIOC_REQBUFS} 1 MMAP,
     * {@code VIDIOC_EXPBUF}); present when the queue supports MMAP ({@link Endpoint#exports()}).
     */
    public Optional<BufferSource> source() {
        return source;
    }

    /**
     * The queue's import of a trial frame ({@code VIDIOC_S_FMT}, {@code VIDIOC_REQBUFS} 1 DMABUF,
     * {@code VIDIOC_PREPARE_BUF} or {@code VIDIOC_QBUF}); a queue that does not import refuses at
     * {@code VIDIOC_REQBUFS}.
     */
    public BufferSink sink() {
        return sink;
    }

    @Override
    public String toString() {
        return endpoint.name();
    }
}
