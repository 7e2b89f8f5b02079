package io.zeroframe.samples.preview;

import com.fasterxml.jackson.jr.ob.JSON;
import io.zeroframe.bindings.DevicePermissionException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.DeviceTrials;
import io.zeroframe.dmabuf.negotiation.NoPlanException;
import io.zeroframe.dmabuf.negotiation.Plan;
import io.zeroframe.dmabuf.negotiation.Planner;
import io.zeroframe.dmabuf.negotiation.Preference;
import io.zeroframe.dmabuf.negotiation.Role;
import io.zeroframe.drm.ClientCap;
import io.zeroframe.drm.ConnectionStatus;
import io.zeroframe.drm.Connector;
import io.zeroframe.drm.ConnectorType;
import io.zeroframe.drm.Crtc;
import io.zeroframe.drm.DrmDevice;
import io.zeroframe.drm.DrmDeviceInfo;
import io.zeroframe.drm.DrmDevices;
import io.zeroframe.drm.Mode;
import io.zeroframe.drm.Plane;
import io.zeroframe.drm.PlaneEndpoint;
import io.zeroframe.drm.PlaneType;
import io.zeroframe.samples.CommandLines;
import io.zeroframe.samples.pipeline.BufferPool;
import io.zeroframe.samples.pipeline.CaptureToScanout;
import io.zeroframe.samples.pipeline.CodecStage;
import io.zeroframe.samples.pipeline.Recorder;
import io.zeroframe.samples.pipeline.PacketWriter;
import io.zeroframe.samples.pipeline.StagePlan;
import io.zeroframe.samples.pipeline.StagePlanner;
import io.zeroframe.samples.pipeline.Stages;
import io.zeroframe.samples.pipeline.ThroughStages;
import io.zeroframe.samples.pipeline.SystemAllocators;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.FourCc;
import io.zeroframe.v4l2.Fraction;
import io.zeroframe.v4l2.VideoCapability;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.VideoDeviceInfo;
import io.zeroframe.v4l2.VideoDevices;
import io.zeroframe.v4l2.VideoFormat;
import io.zeroframe.v4l2.VideoQueue;
import io.zeroframe.v4l2.format.FrameIntervals;
import io.zeroframe.v4l2.negotiation.VideoEndpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code preview}: shows a V4L2 camera on a KMS display without copying a pixel, through {@link CaptureToScanout}:
 * plans the buffers with the {@link Planner} (camera as producer, a plane of the display as consumer, every
 * usable dma-heap and udmabuf as allocators), allocates a {@link BufferPool} and streams until the asked number of
 * frames was shown or the asked time passed. Prints one progress line a second and the final statistics.
 *
 * <p><b>Choosing.</b> {@code --camera} is a node or a name: the first capture node whose driver, card or sysfs name
 * it is ({@code vivid}, {@code vivid-000-vid-cap}). {@code --connector} names the connector ({@code Virtual-1});
 * {@code --mode} its mode; without it the display runs the connector's mode of the capture size ({@code --size}, or
 * 640x480 without it) when it has one, else its preferred mode. {@code --plane} is {@code primary} (the default:
 * the frame fills the screen, so the capture size defaults to the mode's), {@code overlay} (the first overlay
 * plane that can be on the CRTC, over whatever the primary plane shows; capture size 640x480 by default) or a
 * plane id; {@code --position X,Y} places the frame's top left corner, unscaled and cropped to the mode (overlay
 * planes only).
 *
 * <p><b>After the run.</b> {@code --save-last FILE} maps the last shown frame read-only inside a CPU-access
 * bracket ({@link FrameImage}) and writes it as a PNG; {@code --hold SECONDS} leaves it on screen that long,
 * announced by one line {@code "holding the last frame on screen for ..."}, before the display is restored.
 *
 * <p><b>Recording.</b> {@code --encode FILE} also offers every captured frame to a V4L2 stateful encoder
 * ({@code --encoder}, by default the first memory-to-memory node that encodes to FWHT: vicodec's) through a
 * {@link Recorder} in the pipeline's loop: the plan takes the encoder's OUTPUT queue as a third consumer, so the
 * format suits camera, display and encoder at once, and the encoder reads the camera's own buffers. The packets go
 * to FILE, one after the other. The encoder runs on a thread of its own: a software encoder (vicodec) codes inside
 * {@code VIDIOC_QBUF}, so a frame captured while the encoder is busy with the ones it holds is shown but not
 * recorded, and the display keeps the camera's pace.
 *
 * <p><b>Through a codec.</b> {@code --through-codec} shows the camera after an encode and decode round trip (a video
 * call's self-view) through a {@link ThroughStages}: the camera's frames go to a stateful encoder ({@code --encoder},
 * by default the first memory-to-memory node that encodes to FWHT), its packets to a stateful decoder
 * ({@code --decoder}, by default the first that decodes FWHT), and the decoded frames to the plane, all by dma-buf
 * in one loop. Every hop is planned at once ({@link StagePlanner}: XRGB8888 first from the camera unless
 * {@code --format}); the plan decides who allocates the decoded frames (the display's own dumb buffers for a display
 * that imports no foreign buffer, as virtio-gpu), and {@code --explain} prints it hop by hop. {@code --stats} then
 * has one object per hop: {@code camera}, {@code stages} (the encoder's and the decoder's), {@code display}. With
 * {@code --encode FILE} the encoder's packets are written to FILE as well (recording what the self-view shows). Not
 * with {@code --save-last} or {@code --hold}.
 *
 * <p><b>Through a converter.</b> {@code --converter NODE} (a node, or a driver, card or name: vim2m) puts a
 * memory-to-memory converter after the camera, alone or before the encoder: the planner gives it a format the camera
 * makes and has it make one the display shows (vivid's 24-bit RGB to vkms's RGB565, say), every hop by dma-buf.
 *
 * <p><b>Display in use.</b> Right after opening the card, {@code preview} checks that it is DRM master
 * ({@code DRM_IOCTL_SET_MASTER}, a no-op for the master; EACCES or EBUSY for anybody else): if not, another program
 * (a desktop session) drives the display and nothing is tried. Any later EACCES or EBUSY is reported as the error
 * it is.
 *
 * <p><b>Signals.</b> SIGINT or SIGTERM during streaming stops the pipeline ({@link SignalStop}): the display is
 * restored, the final statistics printed and the buffers released (within about 3 s), and the exit status is 130
 * (SIGINT) or 143 (SIGTERM), as for any program a signal ends; the run counts as interrupted, not completed.
 *
 * <p>Exit status: 0 when the run completed; 1 when it could not (one line on stderr: no camera, no connected
 * connector, the display held by another DRM master, no plan, a device error, a frame it cannot save); 2 for a
 * usage error; 130/143 after SIGINT/SIGTERM. Run it with {@code scripts/preview} or
 * {@code java -jar samples/target/zeroframe-preview.jar}; it needs DRM master, so run it from a text console, not
 * under a desktop session.
 *
 * {@snippet lang=shell :
 * scripts/preview --frames 600 --explain
 * scripts/preview --camera vivid --display virtio_gpu --duration 10 --stats stats.json --save-last last.png
 * scripts/preview --display vkms --plane overlay --position 64,48 --size 320x240 --hold 5
 * scripts/preview --camera vivid --display vkms --size 640x480 --frames 120 --encode camera.fwht
 * scripts/preview --camera vivid --display vkms --size 640x480 --frames 120 --through-codec --stats hops.json
 * scripts/preview --camera vivid --display vkms --size 640x480 --frames 120 --converter vim2m --format RGB888 --explain
 * }
 */
@Command(name = "preview", mixinStandardHelpOptions = true, version = "Zeroframe preview 0.1.0",
        description = {"Shows a V4L2 camera on a KMS display, zero-copy (the camera writes into the scanned-out"
                + " buffers).", "Needs DRM master: run from a text console, not under a display server."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:the run completed", "1:it could not run (one line on stderr)", "2:usage error",
                "130:stopped by SIGINT (143: SIGTERM); display restored, statistics printed"})
public final class Preview implements Callable<Integer> {
    /** The capture size without {@code --size} on an overlay plane, and the mode looked for without either. */
    static final Size DEFAULT_SIZE = new Size(640, 480);
    private static final String LOG_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";
    private static final FourCc FWHT = FourCc.of("FWHT");
    /** Packet buffers of the recorder's encoder: one being written, one coded into, two to spare. */
    private static final int RECORDER_PACKETS = 4;
    /** Packet buffers and decoded frames of each codec with {@code --through-codec}. */
    private static final int CODEC_RESULTS = 4;

    @Option(names = "--camera", paramLabel = "PATH|NAME",
            description = {"V4L2 capture node, or a driver, card or node name: its first capture node (e.g. vivid,"
                    + " vivid-000-vid-cap).", "Default: the first capture node whose plan succeeds."})
    String camera;

    @Option(names = "--display", paramLabel = "CARD",
            description = "DRM driver name or /dev/dri/cardN (default: the first card with a connected connector).")
    String display;

    @Option(names = "--connector", paramLabel = "NAME",
            description = "Connector name, e.g. Virtual-1 (default: the first connected one).")
    String connector;

    @Option(names = "--mode", paramLabel = "WxH[@HZ]", converter = ModeSpecConverter.class,
            description = {"Display mode (default: the connector's mode of the capture size, 640x480 without --size,"
                    + " when it has one; else its preferred mode)."})
    ModeSpec mode;

    @Option(names = "--size", paramLabel = "WxH", converter = SizeConverter.class,
            description = "Capture size (default: the mode's on a primary plane, 640x480 on an overlay).")
    Size size;

    @Option(names = "--plane", paramLabel = "primary|overlay|ID", defaultValue = "primary",
            converter = PlaneChoiceConverter.class,
            description = {"Plane to show the frames on: the CRTC's primary plane (default), its first overlay plane,"
                    + " or a plane id."})
    PlaneChoice plane;

    @Option(names = "--position", paramLabel = "X,Y", defaultValue = "0,0", converter = PositionConverter.class,
            description = "Where the frame's top left corner goes, unscaled, cropped to the mode (default:"
                    + " ${DEFAULT-VALUE}; an overlay plane only).")
    Position position;

    @Option(names = "--format", paramLabel = "FOURCC", converter = FormatConverter.class,
            description = "Preferred pixel format, e.g. XRGB8888, YUYV, NV12.")
    PixelFormat format;

    @Option(names = "--allocator", paramLabel = "NAME", description = "Force an allocator (as the plan names it).")
    String allocator;

    @Option(names = "--frames", paramLabel = "N", defaultValue = "300",
            description = "Frames to show (default: ${DEFAULT-VALUE}).")
    long frames;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Run for this long instead of --frames.")
    Double duration;

    @Option(names = "--rate", paramLabel = "FPS", converter = RateConverter.class,
            description = {"Capture rate in frames per second, e.g. 30 or 30000/1001 (default: the camera's"
                    + " highest at the size, not above the mode's refresh rate; the camera's own when it lists"
                    + " none)."})
    Fraction rate;

    @Option(names = "--explain", description = "Print the plan's explanation.")
    boolean explain;

    @Option(names = "--stats", paramLabel = "FILE", description = "Write the final statistics as JSON.")
    Path stats;

    @Option(names = "--save-last", paramLabel = "FILE",
            description = "Write the last shown frame as a PNG (read after streaming stops).")
    Path saveLast;

    @Option(names = "--hold", paramLabel = "SECONDS", defaultValue = "0",
            description = {"Keep the last frame on screen this long after the run, then restore the display"
                    + " (default: ${DEFAULT-VALUE}).", "Announced by one line: holding the last frame on screen for"
                    + " ..."})
    double hold;

    @Option(names = "--encode", paramLabel = "FILE",
            description = {"Record what the camera captures while it is shown: every frame encoded by a V4L2"
                    + " stateful encoder from the camera's own buffers, the packets written to FILE (a FWHT stream"
                    + " with vicodec, which its decoder reads back).", "Announced by one line: recording to ...;"
                    + " --stats then has a \"recorder\" object."})
    Path encode;

    @Option(names = "--encoder", paramLabel = "PATH|NAME",
            description = "The encoder for --encode or --through-codec: a node, or the first memory-to-memory node of"
                    + " that driver, card or name (default: the first that encodes to FWHT).")
    String encoder;

    @Option(names = "--through-codec",
            description = {"Show the camera after an encode and decode round trip: camera -> stateful encoder ->"
                    + " stateful decoder -> display, every hop by dma-buf, planned at once.", "--stats then has one"
                    + " object per hop; with --encode FILE the encoder's packets are written to FILE too."})
    boolean throughCodec;

    @Option(names = "--converter", paramLabel = "PATH|NAME",
            description = {"Put a memory-to-memory converter between the camera and the display (or the encoder):"
                    + " a node, or the first memory-to-memory node of that driver, card or name (vim2m).",
                    "Every hop is planned at once: the converter is given a format the camera makes and makes one"
                            + " the display shows."})
    String converter;

    @Option(names = "--decoder", paramLabel = "PATH|NAME",
            description = "The decoder for --through-codec: a node, or the first memory-to-memory node of that driver,"
                    + " card or name (default: the first that decodes FWHT).")
    String decoder;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** A frame size. */
    record Size(int width, int height) {
        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    /** A display mode asked for: its size and, if given, its refresh rate in Hz. */
    record ModeSpec(Size size, OptionalInt refresh) {
        boolean matches(Mode mode) {
            return mode.hdisplay() == size.width() && mode.vdisplay() == size.height()
                    && (refresh.isEmpty() || refresh.getAsInt() == mode.vrefresh());
        }

        @Override
        public String toString() {
            return size + (refresh.isPresent() ? "@" + refresh.getAsInt() : "");
        }
    }

    /** Where the frame's top left corner goes on the CRTC. */
    record Position(int x, int y) {
        @Override
        public String toString() {
            return x + "," + y;
        }
    }

    /** The plane asked for: by type ({@code PRIMARY}, {@code OVERLAY}) or by id. */
    record PlaneChoice(Optional<PlaneType> type, OptionalInt id) {
        boolean matches(Plane plane) {
            return type.map(t -> plane.type() == t).orElseGet(() -> plane.id().value() == id.getAsInt());
        }

        @Override
        public String toString() {
            return type.map(t -> t.name().toLowerCase(Locale.ROOT)).orElseGet(() -> "plane " + id.getAsInt());
        }
    }

    static final class SizeConverter implements CommandLine.ITypeConverter<Size> {
        @Override
        public Size convert(String value) {
            return size(value).orElseThrow(() -> new CommandLine.TypeConversionException("'" + value
                    + "' is not a size WxH such as 640x480"));
        }
    }

    static final class ModeSpecConverter implements CommandLine.ITypeConverter<ModeSpec> {
        @Override
        public ModeSpec convert(String value) {
            String[] parts = value.split("@", -1);
            Optional<Size> size = size(parts[0]);
            OptionalInt refresh = OptionalInt.empty();
            if (parts.length == 2) {
                refresh = positive(parts[1]);
            }
            if (size.isEmpty() || parts.length > 2 || (parts.length == 2 && refresh.isEmpty())) {
                throw new CommandLine.TypeConversionException("'" + value
                        + "' is not a mode WxH or WxH@HZ such as 1280x720 or 1280x720@60");
            }
            return new ModeSpec(size.get(), refresh);
        }
    }

    static final class RateConverter implements CommandLine.ITypeConverter<Fraction> {
        @Override
        public Fraction convert(String value) {
            String[] parts = value.split("/", -1);
            OptionalInt numerator = positive(parts[0]);
            OptionalInt denominator = parts.length == 2 ? positive(parts[1]) : OptionalInt.of(1);
            if (parts.length > 2 || numerator.isEmpty() || denominator.isEmpty()) {
                throw new CommandLine.TypeConversionException("'" + value
                        + "' is not a rate in frames per second such as 30 or 30000/1001");
            }
            return new Fraction(denominator.getAsInt(), numerator.getAsInt()); // the interval: seconds per frame
        }
    }

    static final class PositionConverter implements CommandLine.ITypeConverter<Position> {
        @Override
        public Position convert(String value) {
            String[] parts = value.split(",", -1);
            if (parts.length == 2) {
                try {
                    Position position = new Position(Integer.parseInt(parts[0].strip()),
                            Integer.parseInt(parts[1].strip()));
                    if (position.x() >= 0 && position.y() >= 0) {
                        return position;
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not a position X,Y such as 64,48"
                    + " (pixels from the top left corner, not negative)");
        }
    }

    static final class PlaneChoiceConverter implements CommandLine.ITypeConverter<PlaneChoice> {
        @Override
        public PlaneChoice convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "primary" -> new PlaneChoice(Optional.of(PlaneType.PRIMARY), OptionalInt.empty());
                case "overlay" -> new PlaneChoice(Optional.of(PlaneType.OVERLAY), OptionalInt.empty());
                default -> {
                    OptionalInt id = positive(value);
                    if (id.isEmpty()) {
                        throw new CommandLine.TypeConversionException("'" + value
                                + "' is not a plane: primary, overlay or a plane id such as 31");
                    }
                    yield new PlaneChoice(Optional.empty(), id);
                }
            };
        }
    }

    private static Optional<Size> size(String value) {
        String[] parts = value.split("x", -1);
        if (parts.length != 2) {
            return Optional.empty();
        }
        OptionalInt width = positive(parts[0]);
        OptionalInt height = positive(parts[1]);
        return width.isPresent() && height.isPresent()
                ? Optional.of(new Size(width.getAsInt(), height.getAsInt())) : Optional.empty();
    }

    private static OptionalInt positive(String value) {
        try {
            int number = Integer.parseInt(value);
            return number > 0 ? OptionalInt.of(number) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    static final class FormatConverter implements CommandLine.ITypeConverter<PixelFormat> {
        @Override
        public PixelFormat convert(String value) {
            return PixelFormat.all().stream().filter(f -> f.name().equalsIgnoreCase(value)
                            || f.fourccName().trim().equalsIgnoreCase(value)).findFirst()
                    .orElseThrow(() -> new CommandLine.TypeConversionException("unknown format '" + value
                            + "'; known: " + PixelFormat.all().stream().map(PixelFormat::name).toList()));
        }
    }

    /** A failure the user can act on: printed as one line. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }

    /**
     * Runs {@code preview} and exits with its status. The libraries' INFO log (the planner's multi-line plan) is
     * kept off stderr unless {@code -Dorg.slf4j.simpleLogger.defaultLogLevel} asks for it: {@code --explain} prints
     * the plan, and a failure stays one line.
     */
    public static void main(String[] args) {
        if (System.getProperty(LOG_LEVEL) == null) {
            System.setProperty(LOG_LEVEL, "warn");
        }
        System.exit(run(args));
    }

    /** Runs {@code preview} with {@code args}, printing to {@link System#out} and {@link System#err}; the exit status. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The command line of a new {@code preview}, its errors reported as one line. */
    static CommandLine commandLine() {
        return CommandLines.oneLineErrors("preview", new Preview());
    }

    /** The display chosen: the card and what runs on it. */
    private record Screen(DrmDevice card, Crtc crtc, Plane plane, Connector connector, Mode mode) {}

    /** A camera with its plan and allocation sources. */
    /** The camera opened and planned: its first hop's plan, and the whole chain's with {@code --through-codec}. */
    private record Planned(VideoDevice device, VideoQueue queue, Plan plan, List<BufferSource> sources,
                           Optional<StagePlan> stages) {}

    @Override
    public Integer call() throws Exception {
        if (frames <= 0) {
            throw usage("--frames must be positive: " + frames);
        }
        if (duration != null && !(duration > 0)) {
            throw usage("--duration must be positive: " + duration);
        }
        if (encoder != null && encode == null && !throughCodec) {
            throw usage("--encoder " + encoder + " needs --encode FILE or --through-codec");
        }
        if (decoder != null && !throughCodec) {
            throw usage("--decoder " + decoder + " needs --through-codec");
        }
        if ((throughCodec || converter != null) && (saveLast != null || hold > 0)) {
            throw usage((throughCodec ? "--through-codec" : "--converter") + " shows the stages' frames: not with"
                    + " --save-last or --hold");
        }
        if (converter != null && encode != null && !throughCodec) {
            throw usage("--converter with --encode FILE needs --through-codec (the encoder is a stage then)");
        }
        if (!(hold >= 0) || hold > Integer.MAX_VALUE) {
            throw usage("--hold must be 0 or more seconds: " + hold);
        }
        if (plane.type().equals(Optional.of(PlaneType.PRIMARY)) && !position.equals(new Position(0, 0))) {
            throw usage("--position " + position + " needs an overlay plane (--plane overlay or an overlay's id):"
                    + " a primary plane covers the screen from 0,0");
        }
        Optional<Path> node = camera == null ? Optional.empty() : Optional.of(cameraNode()); // before the display
        PrintWriter out = spec.commandLine().getOut();
        try (DrmDevice card = openDisplay()) {
            requireMaster(card);
            Screen screen = screen(card);
            if (screen.plane().type() == PlaneType.PRIMARY && !position.equals(new Position(0, 0))) {
                throw usage("--position " + position + " needs an overlay plane: " + screen.plane().id()
                        + " is a primary plane, which covers the screen from 0,0");
            }
            if (position.x() >= screen.mode().hdisplay() || position.y() >= screen.mode().vdisplay()) {
                throw usage("--position " + position + " is outside the mode " + screen.mode());
            }
            Size capture = size != null ? size : screen.plane().type() == PlaneType.PRIMARY
                    ? new Size(screen.mode().hdisplay(), screen.mode().vdisplay()) : DEFAULT_SIZE;
            out.printf("display: %s (%s), %s, %s %s, mode %s%n", card.path(), screen.connector().name(),
                    screen.crtc().id(), screen.plane().type().name().toLowerCase(Locale.ROOT), screen.plane().id(),
                    screen.mode());
            if (throughCodec || converter != null) {
                throughStages(node, screen, capture, out);
                return 0;
            }
            Optional<CodecStage> recordWith = encode == null ? Optional.empty()
                    : Optional.of(CodecStage.open(encoderNode(), CodecStage.Kind.ENCODER));
            Planned planned;
            try {
                planned = plan(node, screen, capture, recordWith, List.of());
            } catch (IOException | RuntimeException | Error e) {
                recordWith.ifPresent(CodecStage::close);
                throw e;
            }
            try {
                out.printf("camera: %s, %s at %s, plan: %s%n", planned.device(), capture, position,
                        planned.plan().allocator());
                if (explain) {
                    out.println(planned.plan().explain());
                }
                out.flush();
                stream(screen, planned, recordWith, out);
            } finally {
                recordWith.ifPresent(CodecStage::close);
                planned.queue().close();
                planned.device().close();
            }
        }
        return 0;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /**
     * Streams, then (the last frame still on screen with {@code --hold}, the stream stopped) writes the statistics
     * and the last frame, holds it, and restores the display before the pool is closed.
     */
    private void stream(Screen screen, Planned planned, Optional<CodecStage> recordWith, PrintWriter out)
            throws Exception {
        Optional<BufferSource> source = planned.sources().stream()
                .filter(s -> s.allocator().equals(planned.plan().allocator())).findFirst();
        boolean console = System.console() != null && System.console().isTerminal();
        try (SignalStop signal = SignalStop.install();
             BufferPool pool = BufferPool.allocate(planned.plan(), planned.queue(), screen.card(), source);
             FileChannel file = encode == null ? null : recording(encode);
             Recorder recorder = recordWith.isEmpty() ? null : Recorder.start(recordWith.get(), pool,
                     planned.plan().layout(), FWHT, RECORDER_PACKETS, recorderFrames(pool), file);
             CaptureToScanout pipeline = CaptureToScanout.open(pool, planned.queue(), screen.card(), screen.crtc(),
                     screen.plane(), screen.connector(), screen.mode(), position.x(), position.y())) {
            if (recorder != null) {
                pipeline.tap(recorder);
                out.printf("recording to %s (encoder %s, %s)%n", encode, recorder.encoder().path(), FWHT);
            }
            Fraction interval = setRate(planned, screen);
            out.printf("rate: %s fps%n", fps(interval));
            pipeline.keepLastFrame(hold > 0);
            signal.stops(pipeline::stop);
            CaptureToScanout.Statistics result = run(() -> progress(pipeline.statistics()), () -> duration != null
                    ? pipeline.run(Duration.ofMillis(Math.round(duration * 1000))) : pipeline.run(frames), out, console);
            try {
                boolean holding = hold > 0 && !signal.signalled();
                if (!holding) {
                    pipeline.restoreDisplay();
                }
                out.println("final: " + result);
                if (recorder != null) {
                    out.printf("recorded: %d packets, %d bytes to %s, %d captured frames not recorded (the"
                                    + " encoder was busy); encoder %s%n", recorder.packetsWritten(),
                            recorder.bytesWritten(), encode, recorder.refused(), recorder.encoder().statistics());
                }
                out.flush();
                if (stats != null) {
                    Map<String, Object> doc = json(result);
                    if (recorder != null) {
                        doc.put("recorder", json(recorder));
                    }
                    writeStats(doc);
                }
                if (saveLast != null) {
                    BufferPool.Slot last = pipeline.lastShown().orElseThrow(() ->
                            new Failure("no frame was shown: nothing to save to " + saveLast));
                    try {
                        FrameImage.save(last.frame(), saveLast);
                    } catch (IllegalArgumentException e) {
                        throw new Failure("cannot save the last frame to " + saveLast + ": " + e.getMessage());
                    } catch (FileSystemException e) {
                        throw new Failure("cannot save the last frame to " + saveLast + ": " + reason(e));
                    }
                }
                if (holding) {
                    out.printf("holding the last frame on screen for %s s%n", seconds(hold));
                    out.flush();
                    signal.pause(Duration.ofNanos(Math.round(hold * 1e9)));
                }
            } finally {
                pipeline.restoreDisplay();
            }
        }
    }

    /** Runs {@code body}, printing {@code progress} once a second meanwhile. */
    private static <T> T run(Supplier<String> progress, Callable<T> body, PrintWriter out, boolean console)
            throws Exception {
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "preview-progress");
            thread.setDaemon(true);
            return thread;
        });
        try {
            ticker.scheduleAtFixedRate(() -> {
                out.print(progress.get() + (console ? "\r" : "\n"));
                out.flush();
            }, 1, 1, TimeUnit.SECONDS);
            return body.call();
        } finally {
            ticker.shutdownNow();
            ticker.awaitTermination(1, TimeUnit.SECONDS);
            if (console) {
                out.println();
            }
        }
    }

    /**
     * {@code --through-codec} and {@code --converter}: opens the stages (one line naming what is missing when one is
     * not there), plans every hop at once, starts the stages and streams through them onto the screen; with
     * {@code --encode FILE} the encoder's packets are also written to FILE.
     */
    private void throughStages(Optional<Path> node, Screen screen, Size capture, PrintWriter out) throws Exception {
        List<Path> nodes = new ArrayList<>();
        List<CodecStage.Kind> kinds = new ArrayList<>();
        if (converter != null) {
            nodes.add(codecNode(converter, "converter", null, null));
            kinds.add(CodecStage.Kind.CONVERTER);
        }
        if (throughCodec) {
            nodes.add(codecNode(encoder, "encoder", "encodes to", BufferType.VIDEO_CAPTURE));
            kinds.add(CodecStage.Kind.ENCODER);
            nodes.add(codecNode(decoder, "decoder", "decodes", BufferType.VIDEO_OUTPUT));
            kinds.add(CodecStage.Kind.DECODER);
        }
        List<CodecStage> opened = new ArrayList<>();
        try {
            for (int k = 0; k < nodes.size(); k++) {
                opened.add(CodecStage.open(nodes.get(k), kinds.get(k)));
            }
            Planned planned = plan(node, screen, capture, Optional.empty(), opened);
            try {
                stream(planned, screen, nodes, out);
            } finally {
                planned.queue().close();
                planned.device().close();
            }
        } finally {
            for (CodecStage stage : opened.reversed()) {
                stage.close();
            }
        }
    }

    /** The planned chain started and streamed: the plan, the stages, the statistics (see {@link #throughStages}). */
    private void stream(Planned planned, Screen screen, List<Path> nodes, PrintWriter out) throws Exception {
        StagePlan stagePlan = planned.stages().orElseThrow();
        out.printf("camera: %s, %s at %s, plan: %s%n", planned.device(), capture(planned), position,
                planned.plan().allocator());
        if (explain) {
            out.println(stagePlan.explain());
        }
        boolean console = System.console() != null && System.console().isTerminal();
        // the plan decides who allocates each hop: a display that imports nothing (virtio-gpu) gets its own dumb
        // buffers, which the last stage imports
        try (SignalStop signal = SignalStop.install();
             FileChannel file = encode == null ? null : recording(encode);
             Stages stages = Stages.start(stagePlan, CODEC_RESULTS);
             ThroughStages pipeline = ThroughStages.open(planned.queue(), stages.stages(), screen.card(),
                     screen.crtc(), screen.plane(), screen.connector(), screen.mode(), position.x(), position.y())) {
            for (int k = 0; k < nodes.size(); k++) {
                StagePlan.Hop into = stagePlan.hops().get(k + 1);
                out.printf("stage %d: %s %s -> %s%n", k, stages.stage(k).kind().name().toLowerCase(Locale.ROOT),
                        nodes.get(k), into.coded().map(FourCc::toString).orElseGet(() ->
                                into.plan().chosen().format() + " from " + into.plan().allocator()));
            }
            PacketWriter packets = file == null ? null : new PacketWriter(file);
            if (packets != null) {
                pipeline.tap(kinds(stages).indexOf(CodecStage.Kind.ENCODER), packets);
                out.printf("recording to %s (the encoder's %s packets)%n", encode, FWHT);
            }
            out.printf("rate: %s fps%n", fps(setRate(planned, screen)));
            out.flush();
            signal.stops(pipeline::stop);
            ThroughStages.Statistics result = run(() -> progress(pipeline.statistics()), () -> duration != null
                    ? pipeline.run(Duration.ofMillis(Math.round(duration * 1000))) : pipeline.run(frames), out,
                    console);
            out.println("final: " + result);
            if (packets != null) {
                out.printf("recorded: %d packets, %d bytes to %s%n", packets.packets(), packets.bytes(), encode);
            }
            out.flush();
            if (stats != null) {
                writeStats(json(result, nodes));
            }
        }
    }

    private static List<CodecStage.Kind> kinds(Stages stages) {
        return stages.stages().stream().map(CodecStage::kind).toList();
    }

    private static Size capture(Planned planned) {
        return new Size(planned.plan().layout().width(), planned.plan().layout().height());
    }

    /** {@code doc} as pretty JSON to {@code --stats}; a failure is one line naming the file. */
    private void writeStats(Map<String, Object> doc) throws Failure {
        try {
            Files.writeString(stats, JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(doc));
        } catch (IOException e) {
            throw new Failure("cannot write the statistics to " + stats + ": " + reason(e));
        }
    }

    static String progress(ThroughStages.Statistics s) {
        return String.format("%6.2f fps, shown %d, skipped %d, decoded %d, captured %d, latency p50 %.2f ms",
                s.framesPerSecond(), s.shown(), s.skipped(), s.arrived(), s.captured(), s.latencyP50Nanos() / 1e6);
    }

    /** {@code --through-codec}'s statistics, one object per hop; {@code nodes} are the stages', in order. */
    static Map<String, Object> json(ThroughStages.Statistics s, List<Path> nodes) {
        Map<String, Object> camera = new LinkedHashMap<>();
        camera.put("captured", s.captured());
        camera.put("droppedByCamera", s.droppedByCamera());
        camera.put("notTaken", s.notTaken());
        Map<String, Object> display = new LinkedHashMap<>();
        display.put("arrived", s.arrived());
        display.put("shown", s.shown());
        display.put("skipped", s.skipped());
        display.put("inFlight", s.inFlight());
        display.put("framesPerSecond", s.framesPerSecond());
        display.put("latencyP50Nanos", s.latencyP50Nanos());
        display.put("latencyP99Nanos", s.latencyP99Nanos());
        display.put("latencyMaxNanos", s.latencyMaxNanos());
        display.put("cpuNanosPerFrame", s.cpuNanosPerFrame());
        display.put("sourceChanges", s.sourceChanges());
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("camera", camera);
        List<Object> stages = new ArrayList<>();
        for (int k = 0; k < s.stages().size(); k++) {
            stages.add(json(s.stage(k), nodes.get(k)));
        }
        doc.put("stages", stages);
        doc.put("display", display);
        return doc;
    }

    /** A codec hop's counters. */
    static Map<String, Object> json(CodecStage.Statistics s, Path node) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("node", node.toString());
        map.put("offered", s.offered());
        map.put("processed", s.processed());
        map.put("results", s.results());
        map.put("offerToResultMeanNanos", s.latencyMeanNanos());
        map.put("offerToResultMaxNanos", s.latencyMaxNanos());
        return map;
    }

    /** Why a file could not be written, in words: the exception's own message is often just the path. */
    private static String reason(IOException e) {
        return switch (e) {
            case AccessDeniedException denied -> "permission denied";
            case NoSuchFileException missing -> "no such directory";
            case FileSystemException other when other.getReason() != null -> other.getReason();
            default -> e.toString();
        };
    }

    /**
     * Sets the camera's frame interval ({@code VIDIOC_S_PARM}) after the pool set its format: {@code --rate}, else
     * the shortest interval the camera lists for the format and size ({@code VIDIOC_ENUM_FRAMEINTERVALS}) that is
     * not faster than the mode refreshes; the interval the camera runs at.
     */
    private Fraction setRate(Planned planned, Screen screen) throws KernelException {
        BufferType type = planned.queue().type();
        VideoDevice device = planned.device();
        Fraction wanted = rate;
        if (wanted == null) {
            VideoFormat format = device.getFormat(type);
            double refresh = Math.max(1, screen.mode().vrefresh());
            List<Fraction> offered = switch (device.frameIntervals(format.fourcc(), format.width(), format.height())) {
                case FrameIntervals.Discrete discrete -> discrete.intervals();
                case FrameIntervals.Stepwise stepwise -> List.of(stepwise.min(), stepwise.max());
                case FrameIntervals.Continuous continuous -> List.of(continuous.min(), continuous.max());
            };
            wanted = offered.stream().filter(f -> f.numerator() > 0 && f.denominator() > 0)
                    .filter(f -> (double) f.denominator() / f.numerator() <= refresh + 0.5)
                    .min(Comparator.comparingDouble(f -> (double) f.numerator() / f.denominator())).orElse(null);
        }
        if (wanted == null) {
            return device.streamParameters(type).timePerFrame();
        }
        return device.setTimePerFrame(type, wanted).timePerFrame();
    }

    private static String fps(Fraction interval) {
        if (interval.numerator() <= 0) {
            return "unknown";
        }
        return String.format(Locale.ROOT, "%.2f", (double) interval.denominator() / interval.numerator());
    }

    private static String seconds(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    static String progress(CaptureToScanout.Statistics s) {
        String latency = s.stampedAfterFlip() > s.shown() / 2
                ? "latency n/a (the camera stamps frames after their flip)"
                : String.format("latency p50 %.2f ms", s.latencyP50Nanos() / 1e6);
        return String.format("%6.2f fps, shown %d, skipped %d, dropped %d, %s", s.framesPerSecond(), s.shown(),
                s.skipped(), s.droppedByCamera(), latency);
    }

    static Map<String, Object> json(CaptureToScanout.Statistics s) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("captured", s.captured());
        map.put("shown", s.shown());
        map.put("skipped", s.skipped());
        map.put("inFlight", s.inFlight());
        map.put("droppedByCamera", s.droppedByCamera());
        map.put("framesPerSecond", s.framesPerSecond());
        map.put("latencyP50Nanos", s.latencyP50Nanos());
        map.put("latencyP99Nanos", s.latencyP99Nanos());
        map.put("latencyMaxNanos", s.latencyMaxNanos());
        map.put("cpuNanosPerFrame", s.cpuNanosPerFrame());
        map.put("stampedAfterFlip", s.stampedAfterFlip());
        return map;
    }

    /** The recording hop's figures for {@code --stats}: what it wrote, what it left out, its encoder's counters. */
    static Map<String, Object> json(Recorder recorder) {
        CodecStage.Statistics encoder = recorder.encoder().statistics();
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("encoder", recorder.encoder().path().toString());
        map.put("packets", recorder.packetsWritten());
        map.put("bytes", recorder.bytesWritten());
        map.put("notRecorded", recorder.refused());
        map.put("offered", encoder.offered());
        map.put("processed", encoder.processed());
        map.put("offerToPacketMeanNanos", encoder.latencyMeanNanos());
        map.put("offerToPacketMaxNanos", encoder.latencyMaxNanos());
        return map;
    }

    /** The encoder {@code --encoder} names, or the first memory-to-memory node that encodes to FWHT. */
    private Path encoderNode() throws IOException, Failure {
        return codecNode(encoder, "encoder", "encodes to", BufferType.VIDEO_CAPTURE);
    }

    /**
     * The codec {@code asked} names: a path, or the first memory-to-memory node of that driver, card or name; without
     * it, the first memory-to-memory node whose queue of {@code fwhtOn}'s direction (CAPTURE for an encoder, OUTPUT
     * for a decoder) offers FWHT. A failure is one line naming what was looked for and the nodes there are.
     */
    private static Path codecNode(String asked, String role, String verb, BufferType fwhtOn)
            throws IOException, Failure {
        if (asked != null && asked.contains("/")) {
            Path path = Path.of(asked);
            if (!Files.exists(path)) {
                throw new Failure("no " + role + " " + asked + ": no such file");
            }
            return path;
        }
        List<VideoDeviceInfo> m2m = VideoDevices.find(info -> info.deviceCapabilities()
                .contains(VideoCapability.VIDEO_M2M) || info.deviceCapabilities()
                .contains(VideoCapability.VIDEO_M2M_MPLANE));
        for (VideoDeviceInfo info : m2m) {
            if (asked != null ? info.driver().equals(asked) || info.card().equals(asked)
                    || info.name().equals(asked) : offersFwht(info, fwhtOn)) {
                return info.path();
            }
        }
        throw new Failure("no " + role + (asked != null ? " " + asked + ": no memory-to-memory node has that"
                + " driver, card or name" : ": no memory-to-memory node " + verb + " FWHT") + "; there are "
                + (m2m.isEmpty() ? "none" : m2m.stream().map(i -> i.path() + " (" + i.driver() + ", " + i.name()
                + ")").toList()));
    }

    /** Whether the node's queue of {@code type}'s direction offers FWHT (its multi-planar kind on an MPLANE node). */
    private static boolean offersFwht(VideoDeviceInfo info, BufferType type) {
        boolean mplane = info.deviceCapabilities().contains(VideoCapability.VIDEO_M2M_MPLANE);
        BufferType queue = type == BufferType.VIDEO_CAPTURE
                ? (mplane ? BufferType.VIDEO_CAPTURE_MPLANE : BufferType.VIDEO_CAPTURE)
                : (mplane ? BufferType.VIDEO_OUTPUT_MPLANE : BufferType.VIDEO_OUTPUT);
        try (VideoDevice device = VideoDevice.open(info.path())) {
            return device.formats(queue).stream().anyMatch(f -> f.fourcc().equals(FWHT));
        } catch (IOException e) {
            return false; // a node this user cannot open is not the one
        }
    }

    /**
     * How many frames the recorder may hold at once: what the pool has beyond the display's two (shown, flipping)
     * and the camera's one, and at least one.
     */
    private static int recorderFrames(BufferPool pool) {
        return Math.max(1, pool.slots().size() - 3);
    }

    /** {@code file} created or truncated for the encoder's packets; a failure is one line naming it. */
    private static FileChannel recording(Path file) throws Failure {
        try {
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new Failure("cannot record to " + file + ": " + reason(e));
        }
    }

    /** The capture node {@code --camera} names: a path, or the first capture node of that driver, card or name. */
    private Path cameraNode() throws IOException, Failure {
        if (camera.contains("/")) {
            Path path = Path.of(camera);
            if (!Files.exists(path)) {
                throw new Failure("no camera " + camera + ": no such file");
            }
            return path;
        }
        List<VideoDeviceInfo> captures = VideoDevices.find(Preview::isCapture);
        return captures.stream().filter(i -> i.driver().equals(camera) || i.card().equals(camera)
                        || i.name().equals(camera)).map(VideoDeviceInfo::path).findFirst()
                .orElseThrow(() -> new Failure("no camera " + camera + ": no capture node has that driver, card or"
                        + " name; there are " + (captures.isEmpty() ? "none" : captures.stream()
                        .map(i -> i.path() + " (" + i.driver() + ", " + i.name() + ")").toList())));
    }

    private static boolean isCapture(VideoDeviceInfo info) {
        return info.deviceCapabilities().contains(VideoCapability.VIDEO_CAPTURE)
                || info.deviceCapabilities().contains(VideoCapability.VIDEO_CAPTURE_MPLANE);
    }

    private DrmDevice openDisplay() throws IOException, Failure {
        EnumSet<ClientCap> caps = EnumSet.of(ClientCap.UNIVERSAL_PLANES, ClientCap.ATOMIC);
        if (display != null) {
            Path node;
            if (display.startsWith("/")) {
                node = Path.of(display);
            } else {
                node = DrmDevices.findByDriver(display).map(DrmDeviceInfo::path)
                        .orElseThrow(() -> new Failure("no DRM card of driver " + display));
            }
            try {
                return DrmDevice.open(node, caps);
            } catch (KernelException e) {
                throw new Failure("cannot open display " + node + ": " + e.getMessage());
            }
        }
        List<String> seen = new ArrayList<>();
        for (Path node : DrmDevices.cards()) {
            DrmDevice card;
            try {
                card = DrmDevice.open(node, caps);
            } catch (KernelException e) {
                seen.add(node + ": " + e.errnoName());
                continue;
            }
            if (connected(card).isPresent()) {
                return card;
            }
            seen.add(node + ": no connected connector" + (connector == null ? "" : " " + connector));
            card.close();
        }
        throw new Failure("no DRM card with a connected connector" + (connector == null ? "" : " " + connector)
                + (seen.isEmpty() ? "" : " " + seen));
    }

    /**
     * Fails unless this process drives the display: {@code DRM_IOCTL_SET_MASTER} succeeds at once for the master,
     * and fails with EACCES (EBUSY with {@code CAP_SYS_ADMIN}) when another file holds master.
     */
    private static void requireMaster(DrmDevice card) throws Failure, KernelException {
        try {
            card.setMaster();
        } catch (DevicePermissionException e) {
            throw new Failure(card.path() + " (" + card.version().name() + ") is in use by another program (a desktop"
                    + " session?): run from a text console, or stop the display server");
        }
    }

    /** The connected connector {@code --connector} names, or the first connected one; never a writeback connector. */
    private Optional<Connector> connected(DrmDevice card) throws KernelException {
        return card.connectors().stream()
                .filter(c -> !c.type().equals(ConnectorType.WRITEBACK) && c.status() == ConnectionStatus.CONNECTED)
                .filter(c -> connector == null || c.name().equals(connector))
                .findFirst();
    }

    private Screen screen(DrmDevice card) throws KernelException, Failure {
        Optional<Connector> found = connected(card);
        if (found.isEmpty()) {
            throw new Failure(connector == null ? "no connected connector on " + card.path() : noConnector(card));
        }
        Connector output = found.get();
        Mode chosen = mode(card, output);
        List<Plane> planes = card.planes();
        for (Crtc crtc : card.crtcs()) {
            Optional<Plane> candidate = planes.stream().filter(p -> plane.matches(p) && p.canUse(crtc.id()))
                    .findFirst();
            if (candidate.isPresent()) {
                return new Screen(card, crtc, candidate.get(), output, chosen);
            }
        }
        throw new Failure(plane.type().isPresent() ? "no CRTC with an " + plane + " plane on " + card.path()
                : planes.stream().anyMatch(plane::matches) ? plane + " of " + card.path() + " can be on no CRTC"
                : "no " + plane + " on " + card.path() + "; it has " + planes.stream()
                .map(p -> p.id().value() + " " + p.type().name().toLowerCase(Locale.ROOT)).toList());
    }

    private String noConnector(DrmDevice card) throws KernelException {
        return card.connectors().stream().filter(c -> c.name().equals(connector)).findFirst()
                .map(c -> "connector " + connector + " of " + card.path() + " is " + c.status())
                .orElse("no connector " + connector + " on " + card.path() + "; it has "
                        + card.connectors().stream().map(Connector::name).toList());
    }

    /** {@code --mode}, or the mode of the capture size (640x480 without {@code --size}), or the preferred one. */
    private Mode mode(DrmDevice card, Connector output) throws Failure {
        if (mode != null) {
            return output.modes().stream().filter(mode::matches).findFirst()
                    .orElseThrow(() -> new Failure("no mode " + mode + " on " + output.name() + " of " + card.path()
                            + "; it has " + output.modes().stream().map(Mode::toString).distinct().toList()));
        }
        Size wanted = size != null ? size : DEFAULT_SIZE;
        return output.modes().stream()
                .filter(m -> m.hdisplay() == wanted.width() && m.vdisplay() == wanted.height()).findFirst()
                .or(() -> output.modes().stream().filter(Mode::isPreferred).findFirst())
                .or(() -> output.modes().stream().findFirst())
                .orElseThrow(() -> new Failure(output.name() + " of " + card.path() + " has no mode"));
    }

    /** A planner's refusal: its first line, or all of it (the offers, why each was not taken) with --explain. */
    private String brief(Exception e) {
        String message = e.getMessage();
        int end = message.indexOf('\n');
        return explain || end < 0 ? message : message.substring(0, end) + " (--explain tells why)";
    }

    private Planned plan(Optional<Path> node, Screen screen, Size capture, Optional<CodecStage> encoder,
                         List<CodecStage> through) throws IOException, Failure {
        if (node.isPresent()) {
            try {
                return plan(node.get(), screen, capture.width(), capture.height(), encoder, through);
            } catch (NoPlanException | StagePlanner.NoStagePlanException e) {
                throw new Failure("no plan from " + node.get() + " to " + screen.card().path() + ": " + brief(e));
            }
        }
        List<String> tried = new ArrayList<>();
        for (Path candidate : VideoDevices.nodes()) {
            VideoDeviceInfo info;
            try {
                info = VideoDevices.query(candidate);
            } catch (KernelException e) {
                continue;
            }
            if (!isCapture(info)) {
                continue;
            }
            try {
                return plan(candidate, screen, capture.width(), capture.height(), encoder, through);
            } catch (NoPlanException | StagePlanner.NoStagePlanException | KernelException e) {
                tried.add(candidate + ": " + brief(e));
            }
        }
        throw new Failure(tried.isEmpty() ? "no camera: no V4L2 capture node" : "no camera plans: " + tried);
    }

    /**
     * The plan from the camera at {@code node} to the screen's plane, and to the encoder's OUTPUT queue if any; with
     * {@code through} stages (not empty) every hop of camera -> stages -> plane at once ({@link StagePlanner}),
     * XRGB8888 first unless {@code --format}.
     */
    private Planned plan(Path node, Screen screen, int width, int height, Optional<CodecStage> encoder,
                         List<CodecStage> through)
            throws IOException, NoPlanException, StagePlanner.NoStagePlanException {
        VideoDevice device = VideoDevice.open(node);
        VideoQueue queue = null;
        try {
            BufferType type = device.info().deviceCapabilities().contains(VideoCapability.VIDEO_CAPTURE)
                    ? BufferType.VIDEO_CAPTURE : BufferType.VIDEO_CAPTURE_MPLANE;
            queue = device.openQueue(type);
            VideoEndpoint camera = VideoEndpoint.of(queue, Role.PRODUCER, width, height);
            PlaneEndpoint plane = PlaneEndpoint.of(screen.card(), screen.plane(), screen.crtc(), screen.connector(),
                    screen.mode());
            Preference preference = Preference.DEFAULT;
            if (format != null || !through.isEmpty()) {
                preference = preference.formatsFirst(format != null ? format : PixelFormat.XRGB8888);
            }
            if (allocator != null) {
                preference = preference.forceAllocator(allocator);
            }
            if (!through.isEmpty()) {
                StagePlanner.Builder chain = StagePlanner.builder(queue, width, height).preference(preference);
                for (CodecStage stage : through) {
                    switch (stage.kind()) {
                        case ENCODER -> chain.encoder(stage, FWHT);
                        case DECODER -> chain.decoder(stage);
                        case CONVERTER -> chain.converter(stage);
                    }
                }
                StagePlan stages = chain.display(screen.card(), screen.crtc(), screen.plane(), screen.connector(),
                        screen.mode()).build().plan();
                return new Planned(device, queue, stages.hops().getFirst().plan(), List.of(), Optional.of(stages));
            }
            Planner.Builder planner = Planner.builder(width, height).producer(camera.endpoint())
                    .preference(preference);
            DeviceTrials.Builder trials = DeviceTrials.builder().sink(camera.sink());
            planner.consumer(plane.endpoint());
            trials.sink(plane.sink());
            if (encoder.isPresent()) {
                VideoEndpoint input = VideoEndpoint.of(encoder.get().inputQueue(), Role.CONSUMER, width, height);
                planner.consumer(input.endpoint());
                trials.sink(input.sink());
            }
            List<BufferSource> sources = new ArrayList<>();
            camera.source().ifPresent(sources::add);
            plane.source().ifPresent(sources::add);
            sources.addAll(SystemAllocators.addTo(planner));
            sources.forEach(trials::source);
            Plan plan = planner.build().plan(trials.build());
            return new Planned(device, queue, plan, sources, Optional.empty());
        } catch (IOException | NoPlanException | StagePlanner.NoStagePlanException | RuntimeException e) {
            if (queue != null) {
                queue.close();
            }
            device.close();
            throw e;
        }
    }
}
