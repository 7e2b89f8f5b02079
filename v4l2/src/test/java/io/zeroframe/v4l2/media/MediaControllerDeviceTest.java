package io.zeroframe.v4l2.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.testing.NoLeaks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The media graphs of the test bed's vimc and vivid media devices as the library reads them
 * ({@code MEDIA_IOC_G_TOPOLOGY}) against {@code media-ctl} (v4l-utils, which reads them with the legacy enumeration
 * ioctls): entity by entity, pad by pad, link by link, and the dot rendering line by line; link set-up and its
 * errors; the errors of files that are not media devices.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class MediaControllerDeviceTest {

    private static List<Path> vimcAndVivid() throws Exception {
        List<Path> nodes = new ArrayList<>(MediaCtl.byDriver("vimc"));
        nodes.addAll(MediaCtl.byDriver("vivid"));
        return nodes;
    }

    @Test
    void topologyAgreesWithMediaCtlEntityByEntityPadByPadLinkByLink() throws Exception {
        for (Path node : vimcAndVivid()) {
            try (MediaDevice media = MediaDevice.open(node)) {
                MediaTopology graph = media.topology();
                String peer = MediaCtl.run(node, "-p");
                List<String> expected = MediaCtl.graphLines(peer);
                List<String> actual = MediaCtl.graphLines(graph.describe());
                assertEquals(String.join("\n", expected), String.join("\n", actual), node + " " + media.info());
                assertTrue(peer.contains("driver          " + media.info().driver()), peer);
                assertTrue(peer.contains("model           " + media.info().model()), peer);
                assertTrue(peer.contains("bus info        " + media.info().busInfo()), peer);
                long entities = expected.stream().filter(l -> l.startsWith("- entity ")).count();
                long pads = expected.stream().filter(l -> l.startsWith("\tpad")).count();
                long outgoing = expected.stream().filter(l -> l.startsWith("\t\t-> ")).count();
                assertEquals(graph.entities().size(), entities);
                assertEquals(graph.pads().size(), pads);
                assertEquals(graph.dataLinks().size(), outgoing);
                System.out.println(node + " " + media.info().driver() + ": " + entities + " entities, " + pads
                        + " pads, " + outgoing + " data links, " + graph.interfaces().size() + " interfaces, "
                        + (graph.links().size() - graph.dataLinks().size()) + " other links agree with media-ctl -p");
                for (MediaEntity e : graph.entities()) {
                    assertEquals(e, graph.entity(e.name()).orElseThrow());
                    graph.node(e.id()).ifPresent(n -> assertEquals(e, graph.entityOfNode(n).orElseThrow()));
                }
                // the sub-devices' active pad formats, as media-ctl prints them in [fmt:...]
                Map<String, String> formats = new TreeMap<>();
                for (MediaEntity e : graph.entities()) {
                    if (graph.interfaceOf(e.id()).map(i -> i.type() == InterfaceType.V4L_SUBDEV).orElse(false)
                            && !graph.pads(e.id()).isEmpty()) {
                        try (SubDevice subdev = SubDevice.open(graph.node(e.id()).orElseThrow())) {
                            for (MediaPad pad : graph.pads(e.id())) {
                                MediaBusFormat f = subdev.format(pad.index(), Which.ACTIVE);
                                formats.put(graph.padName(pad.id()), f.code() + "/" + f.width() + "x" + f.height()
                                        + " field:" + f.field().name().toLowerCase().replace('_', '-'));
                            }
                        }
                    }
                }
                assertEquals(MediaCtl.padFormats(peer), formats, node.toString());
                if (!formats.isEmpty()) {
                    System.out.println(node + ": " + formats.size() + " sub-device pad formats agree with media-ctl -p");
                }
            }
        }
    }

    @Test
    void dotAgreesWithMediaCtlPrintDot() throws Exception {
        for (Path node : vimcAndVivid()) {
            try (MediaDevice media = MediaDevice.open(node)) {
                String peer = MediaCtl.run(node, "--print-dot");
                String ours = media.toDot();
                assertEquals(peer.lines().sorted().toList(), ours.lines().sorted().toList(), node + ":\n" + ours);
                assertTrue(ours.startsWith("digraph board {\n") && ours.endsWith("}\n"), ours);
                System.out.println(node + ": " + ours.lines().count() + " dot lines agree with media-ctl --print-dot");
            }
        }
    }

    @Test
    void linksSwitchAndTheirErrorsSayWhy() throws Exception {
        try (MediaDevice media = MediaDevice.open(MediaCtl.vimc())) {
            MediaTopology graph = media.topology();
            MediaEntity sensor = graph.entity("Sensor A").orElseThrow();
            MediaEntity debayer = graph.entity("Debayer A").orElseThrow();
            MediaEntity scaler = graph.entity("Scaler").orElseThrow();
            PadId sensorOut = graph.pad(sensor.id(), 0).orElseThrow().id();
            PadId debayerIn = graph.pad(debayer.id(), 0).orElseThrow().id();
            PadId scalerIn = graph.pad(scaler.id(), 0).orElseThrow().id();

            KernelException none = assertThrows(KernelException.class, () -> media.setupLink(sensorOut, scalerIn, true));
            System.out.println("no such link: " + none.getMessage());
            assertEquals(Errno.EINVAL, none.errno());
            assertTrue(none.getMessage().startsWith("MEDIA_IOC_SETUP_LINK on " + media.path()
                    + ": EINVAL (Invalid argument): no such link: \"Sensor A\":0 -> \"Scaler\":0"), none.getMessage());
            assertTrue(none.getMessage().contains("links from \"Sensor A\":0: \"Sensor A\":0 -> \"Debayer A\":0"),
                    none.getMessage());

            MediaLink immutable = graph.link(sensorOut, debayerIn).orElseThrow();
            assertTrue(immutable.isImmutable() && immutable.isEnabled(), immutable.toString());
            KernelException fixed = assertThrows(KernelException.class, () -> media.setupLink(immutable, false));
            System.out.println("immutable: " + fixed.getMessage());
            assertEquals(Errno.EINVAL, fixed.errno());
            assertTrue(fixed.getMessage().contains("immutable link: \"Sensor A\":0 -> \"Debayer A\":0 is always "
                    + "enabled"), fixed.getMessage());
            media.setupLink(immutable, true); // its own state: the kernel accepts it

            // a changeable link: off and on again, seen by a new snapshot and by media-ctl
            MediaLink toScaler = graph.linksTo(scalerIn).stream().filter(l -> !l.isImmutable()).findFirst()
                    .orElseThrow();
            boolean was = toScaler.isEnabled();
            media.setupLink(toScaler, !was);
            try {
                MediaTopology after = media.topology();
                assertEquals(!was, after.link(toScaler.sourcePad(), toScaler.sinkPad()).orElseThrow().isEnabled());
                // topology_version counts objects added and removed, not links switched (vimc, 6.12)
                assertEquals(graph.version(), after.version());
                String line = "\t\t-> \"Scaler\":0 [" + (was ? "" : "ENABLED") + "]";
                assertTrue(MediaCtl.run(media.path(), "-p").contains(line), "media-ctl shows " + line);
            } finally {
                media.setupLink(toScaler, was);
            }
        }
    }

    @Test
    void filesThatAreNotMediaDevicesAndClosedDevicesFailClearly() throws Exception {
        KernelException devNull = assertThrows(KernelException.class, () -> MediaDevice.open(Path.of("/dev/null")));
        System.out.println("/dev/null: " + devNull.getMessage());
        assertEquals(Errno.ENOTTY, devNull.errno());
        assertTrue(devNull.getMessage().startsWith("MEDIA_IOC_DEVICE_INFO on /dev/null: ENOTTY"), devNull.getMessage());
        assertTrue(devNull.getMessage().contains("not a media controller device; pass a /dev/mediaN node"),
                devNull.getMessage());

        Path vimc = MediaCtl.vimc();
        Path videoNode;
        Path subdevNode;
        try (MediaDevice media = MediaDevice.open(vimc)) {
            MediaTopology graph = media.topology();
            videoNode = graph.node(graph.entity("Raw Capture 0").orElseThrow().id()).orElseThrow();
            subdevNode = graph.node(graph.entity("Sensor A").orElseThrow().id()).orElseThrow();
        }
        KernelException video = assertThrows(KernelException.class, () -> MediaDevice.open(videoNode));
        System.out.println(videoNode + ": " + video.getMessage());
        assertEquals(Errno.ENOTTY, video.errno());
        assertTrue(video.getMessage().contains("not a media controller device"), video.getMessage());
        KernelException notSubdev = assertThrows(KernelException.class, () -> SubDevice.open(vimc));
        assertEquals(Errno.ENOTTY, notSubdev.errno());
        assertTrue(notSubdev.getMessage().startsWith("VIDIOC_SUBDEV_QUERYCAP on " + vimc + ": ENOTTY"),
                notSubdev.getMessage());
        assertTrue(notSubdev.getMessage().contains("not a V4L2 sub-device node"), notSubdev.getMessage());
        KernelException missing = assertThrows(KernelException.class, () -> MediaDevice.open(Path.of("/dev/media99")));
        assertEquals(Errno.ENOENT, missing.errno());

        MediaDevice media = MediaDevice.open(vimc);
        media.close();
        media.close();
        assertFalse(media.isOpen());
        FdClosedException closed = assertThrows(FdClosedException.class, media::topology);
        System.out.println("closed: " + closed.getMessage());
        assertTrue(closed.getMessage().contains("MEDIA_IOC_G_TOPOLOGY"), closed.getMessage());
        SubDevice sensor = SubDevice.open(subdevNode);
        sensor.close();
        assertThrows(FdClosedException.class, () -> sensor.format(0, Which.ACTIVE));
    }
}
