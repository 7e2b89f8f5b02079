package io.zeroframe.samples.pipeline;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.dmabuf.negotiation.BufferSink;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.DeviceTrials;
import io.zeroframe.dmabuf.negotiation.Endpoint;
import io.zeroframe.dmabuf.negotiation.Planner;
import io.zeroframe.dmabuf.negotiation.Preference;
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
import io.zeroframe.v4l2.VideoDeviceInfo;
import io.zeroframe.v4l2.VideoDevices;
import io.zeroframe.v4l2.negotiation.VideoEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/** The test bed's devices for the cross-device tests, found by driver and name, never by number. */
final class TestBed {
    static final int WIDTH = 640;
    static final int HEIGHT = 480;

    private TestBed() {}

    /** vivid instance {@code instance}'s capture node (0 single-planar, 1 multi-planar). */
    static Path vividCapture(int instance) throws IOException {
        String name = "vivid-00" + instance + "-vid-cap";
        List<String> seen = new ArrayList<>();
        for (VideoDeviceInfo info : VideoDevices.findByDriver("vivid")) {
            if (info.name().equals(name)) {
                return info.path();
            }
            seen.add(info.path() + "=" + info.name());
        }
        throw new AssertionError("no vivid node named " + name + " among " + seen
                + "; device tests need the kernel test bed");
    }

    /** Opens the card of {@code driver} with atomic and writeback connectors; fails (never skips) without one. */
    static DrmDevice card(String driver) throws IOException {
        DrmDeviceInfo info = DrmDevices.findByDriver(driver).orElseThrow(() -> new AssertionError(
                "no " + driver + " card: device tests need the kernel test bed"));
        return DrmDevice.open(info.path(), EnumSet.of(ClientCap.UNIVERSAL_PLANES, ClientCap.ATOMIC,
                ClientCap.WRITEBACK_CONNECTORS));
    }

    /** A CRTC, a plane of {@code type} on it, the connected (non-writeback) connector and its 640x480 mode. */
    record Display(Crtc crtc, Plane plane, Connector connector, Mode mode) {}

    static Display display(DrmDevice card, PlaneType type) throws KernelException {
        Connector connector = card.connectors().stream()
                .filter(c -> !c.type().equals(ConnectorType.WRITEBACK) && c.status() == ConnectionStatus.CONNECTED)
                .findFirst().orElseThrow(() -> new AssertionError("no connected connector on " + card));
        Mode mode = connector.modes().stream().filter(m -> m.hdisplay() == WIDTH && m.vdisplay() == HEIGHT)
                .findFirst().orElseThrow(() -> new AssertionError("no " + WIDTH + "x" + HEIGHT + " mode on "
                        + connector.name() + " of " + card));
        Crtc crtc = card.crtcs().getFirst();
        Plane plane = card.planes().stream().filter(p -> p.type() == type && p.canUse(crtc.id())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " plane for " + crtc.id() + " on " + card));
        return new Display(crtc, plane, connector, mode);
    }

    /** The display's plane described for the planner. */
    static PlaneEndpoint plane(DrmDevice card, Display display) throws KernelException {
        return PlaneEndpoint.of(card, display.plane(), display.crtc(), display.connector(), display.mode());
    }

    /** The writeback connector of a card opened with writeback connectors. */
    static Connector writeback(DrmDevice card) throws KernelException {
        return card.connectors().stream().filter(c -> c.type().equals(ConnectorType.WRITEBACK)).findFirst()
                .orElseThrow(() -> new AssertionError("no writeback connector on " + card));
    }

    /**
     * A planner and trials for {@code producer} into {@code consumers}, with every dma-heap and udmabuf besides
     * the endpoints' own exports.
     */
    record Negotiation(Planner planner, DeviceTrials trials, List<BufferSource> sources) {
        Optional<BufferSource> source(Allocator allocator) {
            return sources.stream().filter(s -> s.allocator().equals(allocator)).findFirst();
        }
    }

    /** {@link #negotiation} of a camera into a plane. */
    static Negotiation negotiation(VideoEndpoint camera, PlaneEndpoint plane, Preference preference)
            throws IOException {
        return negotiation(camera.endpoint(), camera.source(), camera.sink(), List.of(plane.endpoint()),
                List.of(plane.source()), List.of(plane.sink()), preference);
    }

    static Negotiation negotiation(Endpoint producer, Optional<BufferSource> producerSource, BufferSink producerSink,
                                   List<Endpoint> consumers, List<Optional<BufferSource>> consumerSources,
                                   List<BufferSink> consumerSinks, Preference preference) throws IOException {
        Planner.Builder planner = Planner.builder(WIDTH, HEIGHT).producer(producer).preference(preference);
        consumers.forEach(planner::consumer);
        DeviceTrials.Builder trials = DeviceTrials.builder().sink(producerSink);
        consumerSinks.forEach(trials::sink);
        List<BufferSource> sources = new ArrayList<>();
        producerSource.ifPresent(sources::add);
        consumerSources.forEach(s -> s.ifPresent(sources::add));
        sources.addAll(SystemAllocators.addTo(planner));
        sources.forEach(trials::source);
        return new Negotiation(planner.build(), trials.build(), sources);
    }

    /** The DRM primary nodes (/dev/dri/cardN) this process has open. */
    static List<Path> openCards() throws IOException {
        List<Path> cards = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.toString().startsWith("/dev/dri/card")) {
                        cards.add(target);
                    }
                } catch (IOException e) {
                    // the fd closed while listing (the listing's own)
                }
            }
        }
        return cards;
    }
}
