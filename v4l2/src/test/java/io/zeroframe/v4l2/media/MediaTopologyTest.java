package io.zeroframe.v4l2.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.media.media_h;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The graph snapshot without a device: lookups, the path {@link MediaPipeline} walks, the text and dot renderings,
 * typed link ends, media-bus code names and unknown kernel values. The graph is a small vimc-like one: two sensors,
 * two debayers, a scaler whose sink takes either debayer (one link enabled), raw and RGB capture nodes, and interface
 * links naming the device nodes.
 */
class MediaTopologyTest {
    private static final int DATA = media_h.MEDIA_LNK_FL_DATA_LINK();
    private static final int INTERFACE = media_h.MEDIA_LNK_FL_INTERFACE_LINK();

    private final List<MediaEntity> entities = new ArrayList<>();
    private final List<MediaPad> pads = new ArrayList<>();
    private final List<MediaLink> links = new ArrayList<>();
    private final List<MediaInterface> interfaces = new ArrayList<>();
    private int nextId = 100;

    private MediaTopology vimcLike() {
        entity(1, "Sensor A", EntityFunction.CAM_SENSOR, "/dev/v4l-subdev0", false, true);
        entity(2, "Debayer A", EntityFunction.PROC_VIDEO_PIXEL_ENC_CONV, "/dev/v4l-subdev1", true, true);
        entity(3, "Sensor B", EntityFunction.CAM_SENSOR, "/dev/v4l-subdev2", false, true);
        entity(4, "Debayer B", EntityFunction.PROC_VIDEO_PIXEL_ENC_CONV, "/dev/v4l-subdev3", true, true);
        entity(5, "Scaler", EntityFunction.PROC_VIDEO_SCALER, "/dev/v4l-subdev4", true, true);
        entity(6, "RGB/YUV Capture", EntityFunction.IO_V4L, "/dev/video2", true, false);
        entity(7, "Raw Capture 0", EntityFunction.IO_V4L, "/dev/video0", true, false);
        link(pad(1, 0), pad(2, 0), LinkFlag.ENABLED, LinkFlag.IMMUTABLE);
        link(pad(1, 0), pad(7, 0), LinkFlag.ENABLED, LinkFlag.IMMUTABLE);
        link(pad(3, 0), pad(4, 0), LinkFlag.ENABLED, LinkFlag.IMMUTABLE);
        link(pad(2, 1), pad(5, 0));
        link(pad(4, 1), pad(5, 0), LinkFlag.ENABLED);
        link(pad(5, 1), pad(6, 0), LinkFlag.ENABLED, LinkFlag.IMMUTABLE);
        return new MediaTopology(7, entities, interfaces, pads, links);
    }

    private void entity(int id, String name, EntityFunction function, String node, boolean sink, boolean source) {
        entities.add(new MediaEntity(new EntityId(id), name, function, function.value(), Set.of(), 0));
        if (sink) {
            pads.add(new MediaPad(new PadId(id * 10), new EntityId(id), 0, Set.of(PadFlag.SINK), 0));
        }
        if (source) {
            pads.add(new MediaPad(new PadId(id * 10 + 1), new EntityId(id), sink ? 1 : 0, Set.of(PadFlag.SOURCE), 0));
        }
        InterfaceType type = node.contains("subdev") ? InterfaceType.V4L_SUBDEV : InterfaceType.V4L_VIDEO;
        int intf = nextId++;
        interfaces.add(new MediaInterface(new InterfaceId(intf), type, type.value(), 81, id, Optional.of(Path.of(node))));
        links.add(new MediaLink(new LinkId(nextId++), LinkKind.of(INTERFACE), intf, id, Set.of(LinkFlag.ENABLED), 0));
    }

    private PadId pad(int entity, int index) {
        return pads.stream().filter(p -> p.entity().value() == entity && p.index() == index).findFirst()
                .orElseThrow().id();
    }

    private void link(PadId source, PadId sink, LinkFlag... flags) {
        links.add(new MediaLink(new LinkId(nextId++), LinkKind.of(DATA), source.value(), sink.value(), Set.of(flags), 0));
    }

    @Test
    void lookupsByNameFunctionNodeAndPad() {
        MediaTopology graph = vimcLike();
        MediaEntity scaler = graph.entity("Scaler").orElseThrow();
        assertEquals(List.of("Sensor A", "Sensor B"),
                graph.entities(EntityFunction.CAM_SENSOR).stream().map(MediaEntity::name).toList());
        assertEquals(Optional.of(Path.of("/dev/v4l-subdev4")), graph.node(scaler.id()));
        assertEquals("Raw Capture 0", graph.entityOfNode(Path.of("/dev/video0")).orElseThrow().name());
        assertEquals(Optional.empty(), graph.entityOfNode(Path.of("/dev/video9")));
        PadId scalerSink = graph.pad(scaler.id(), 0).orElseThrow().id();
        assertEquals(List.of("\"Debayer A\":1 -> \"Scaler\":0", "\"Debayer B\":1 -> \"Scaler\":0"),
                graph.linksTo(scalerSink).stream().map(graph::linkName).toList());
        assertEquals(2, graph.linksFrom(graph.pad(new EntityId(1), 0).orElseThrow().id()).size());
        assertEquals(6, graph.dataLinks().size());
        assertEquals(Optional.empty(), graph.entity("Lens"));
        assertThrows(java.util.NoSuchElementException.class, () -> graph.entity(new EntityId(99)));
    }

    @Test
    void thePipelinePathPrefersEnabledLinksFromASensor() {
        MediaTopology graph = vimcLike();
        List<MediaLink> path = MediaPipeline.pathTo(graph, graph.entity("RGB/YUV Capture").orElseThrow()).orElseThrow();
        assertEquals(List.of("\"Sensor B\":0 -> \"Debayer B\":0", "\"Debayer B\":1 -> \"Scaler\":0",
                "\"Scaler\":1 -> \"RGB/YUV Capture\":0"), path.stream().map(graph::linkName).toList());
        List<MediaLink> raw = MediaPipeline.pathTo(graph, graph.entity("Raw Capture 0").orElseThrow()).orElseThrow();
        assertEquals(List.of("\"Sensor A\":0 -> \"Raw Capture 0\":0"), raw.stream().map(graph::linkName).toList());
    }

    @Test
    void describeListsEntitiesPadsAndLinksAsMediaCtlDoes() {
        String text = vimcLike().describe();
        assertTrue(text.contains("""
                - entity 5: Scaler (2 pads, 3 links)
                            function MEDIA_ENT_F_PROC_VIDEO_SCALER
                            device node name /dev/v4l-subdev4
                \tpad0: Sink
                \t\t<- "Debayer A":1 []
                \t\t<- "Debayer B":1 [ENABLED]
                \tpad1: Source
                \t\t-> "RGB/YUV Capture":0 [ENABLED,IMMUTABLE]
                """), text);
        assertTrue(text.contains("- entity 7: Raw Capture 0 (1 pad, 1 link)\n"), text);
    }

    @Test
    void dotDrawsSubDevicesAsRecordsAndNodesAsBoxes() {
        String dot = vimcLike().toDot();
        assertTrue(dot.startsWith("digraph board {\n\trankdir=TB\n"), dot);
        assertTrue(dot.contains("\tn00000005 [label=\"{{<port0> 0} | Scaler\\n/dev/v4l-subdev4 | {<port1> 1}}\", "
                + "shape=Mrecord, style=filled, fillcolor=green]\n"), dot);
        assertTrue(dot.contains("\tn00000006 [label=\"RGB/YUV Capture\\n/dev/video2\", shape=box, style=filled, "
                + "fillcolor=yellow]\n"), dot);
        assertTrue(dot.contains("\tn00000002:port1 -> n00000005:port0 [style=dashed]\n"), dot);
        assertTrue(dot.contains("\tn00000004:port1 -> n00000005:port0\n"), dot);
        assertTrue(dot.contains("\tn00000005:port1 -> n00000006 [style=bold]\n"), dot);
        assertTrue(dot.endsWith("}\n"), dot);
    }

    @Test
    void linkEndsAreTypedByKind() {
        MediaTopology graph = vimcLike();
        MediaLink data = graph.dataLinks().getFirst();
        MediaLink intf = graph.links().stream().filter(l -> l.kind() == LinkKind.INTERFACE).findFirst().orElseThrow();
        assertEquals(new PadId(11), data.sourcePad());
        assertThrows(IllegalStateException.class, intf::sourcePad);
        assertThrows(IllegalStateException.class, data::sourceInterface);
        assertEquals(new EntityId(1), intf.sinkEntity());
    }

    @Test
    void unknownKernelValuesAreKept() {
        assertEquals(EntityFunction.OTHER, EntityFunction.of(0x7777));
        assertEquals(EntityFunction.CAM_SENSOR, EntityFunction.of(media_h.MEDIA_ENT_F_CAM_SENSOR()));
        assertEquals(InterfaceType.OTHER, InterfaceType.of(0x999));
        assertEquals(LinkKind.OTHER, LinkKind.of(3 << 28));
        assertEquals(Set.of(LinkFlag.ENABLED), LinkFlag.decode(1 | 0x100));
        assertEquals(0x100, LinkFlag.unknown(1 | 0x100));
    }

    @Test
    void mediaBusCodesHaveTheirKernelNames() {
        assertEquals(0x3014, MediaBusCode.of("SRGGB8_1X8").value());
        assertEquals(MediaBusCode.SRGGB8_1X8, MediaBusCode.of("MEDIA_BUS_FMT_SRGGB8_1X8"));
        assertEquals("RGB888_1X24", MediaBusCode.RGB888_1X24.toString());
        assertEquals("0x7fff", new MediaBusCode(0x7fff).toString());
        assertThrows(IllegalArgumentException.class, () -> MediaBusCode.of("RGB999"));
        assertThrows(IllegalArgumentException.class, () -> new MediaBusFormat(MediaBusCode.RGB888_1X24, 640, 480,
                io.zeroframe.v4l2.Field.NONE, 0, 0x10000, 0, 0, 0));
    }
}
