package io.zeroframe.v4l2.media;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * A snapshot of a media device's graph ({@code MEDIA_IOC_G_TOPOLOGY}): its entities, interfaces, pads and links in the
 * kernel's order, with lookups by id, name and function. Immutable; a later {@link MediaDevice#topology()} sees
 * link changes, and {@link #version()} tells whether objects were added or removed meanwhile.
 *
 * {@snippet :
 * MediaTopology graph = media.topology();
 * MediaEntity sensor = graph.entities(EntityFunction.CAM_SENSOR).getFirst();
 * Path subdev = graph.node(sensor.id()).orElseThrow();      // e.g. /dev/v4l-subdev0
 * for (MediaLink link : graph.linksFrom(graph.pads(sensor.id()).getFirst().id())) {
 *     System.out.println(graph.linkName(link));             // "Sensor A":0 -> "Debayer A":0
 * }
 * }
 */
public final class MediaTopology {
    private final long version;
    private final List<MediaEntity> entities;
    private final List<MediaInterface> interfaces;
    private final List<MediaPad> pads;
    private final List<MediaLink> links;
    private final Map<Integer, MediaEntity> entityById = new LinkedHashMap<>();
    private final Map<Integer, MediaPad> padById = new LinkedHashMap<>();
    private final Map<Integer, MediaInterface> interfaceById = new LinkedHashMap<>();

    /**
     * @param version    {@code topology_version}: changes when the graph's objects are added or removed
     * @param entities   the entities, in the kernel's order
     * @param interfaces the interfaces
     * @param pads       the pads
     * @param links      every link: data, interface and ancillary
     */
    public MediaTopology(long version, List<MediaEntity> entities, List<MediaInterface> interfaces,
                         List<MediaPad> pads, List<MediaLink> links) {
        this.version = version;
        this.entities = List.copyOf(entities);
        this.interfaces = List.copyOf(interfaces);
        this.pads = List.copyOf(pads);
        this.links = List.copyOf(links);
        this.entities.forEach(e -> entityById.put(e.id().value(), e));
        this.pads.forEach(p -> padById.put(p.id().value(), p));
        this.interfaces.forEach(i -> interfaceById.put(i.id().value(), i));
    }

    /**
     * The kernel's {@code topology_version} when this snapshot was taken: it moves when entities, pads, links or
     * interfaces are added or removed, not when {@code MEDIA_IOC_SETUP_LINK} switches a link (vimc, Linux 6.12).
     */
    public long version() {
        return version;
    }

    public List<MediaEntity> entities() {
        return entities;
    }

    public List<MediaInterface> interfaces() {
        return interfaces;
    }

    public List<MediaPad> pads() {
        return pads;
    }

    /** Every link: data links between pads, interface links, ancillary links. */
    public List<MediaLink> links() {
        return links;
    }

    /** The data links (pad to pad), in the kernel's order. */
    public List<MediaLink> dataLinks() {
        return links.stream().filter(l -> l.kind() == LinkKind.DATA).toList();
    }

    /**
     * The entity with id {@code id}.
     *
     * @throws NoSuchElementException when this graph has none (an id from another device or snapshot)
     */
    public MediaEntity entity(EntityId id) {
        MediaEntity e = entityById.get(id.value());
        if (e == null) {
            throw new NoSuchElementException("no entity " + id + " in this graph; its entities: " + entityNames());
        }
        return e;
    }

    /** The entity named {@code name} (names are unique within a media device). */
    public Optional<MediaEntity> entity(String name) {
        return entities.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** The entities whose function is {@code function}, in the kernel's order. */
    public List<MediaEntity> entities(EntityFunction function) {
        return entities.stream().filter(e -> e.function() == function).toList();
    }

    /**
     * The pad with id {@code id}.
     *
     * @throws NoSuchElementException when this graph has none
     */
    public MediaPad pad(PadId id) {
        MediaPad p = padById.get(id.value());
        if (p == null) {
            throw new NoSuchElementException("no pad " + id + " in this graph");
        }
        return p;
    }

    /** The pads of {@code entity}, by index. */
    public List<MediaPad> pads(EntityId entity) {
        return pads.stream().filter(p -> p.entity().equals(entity))
                .sorted((a, b) -> Integer.compare(a.index(), b.index())).toList();
    }

    /** Pad {@code index} of {@code entity}. */
    public Optional<MediaPad> pad(EntityId entity, int index) {
        return pads.stream().filter(p -> p.entity().equals(entity) && p.index() == index).findFirst();
    }

    /** The data links leaving pad {@code source}. */
    public List<MediaLink> linksFrom(PadId source) {
        return links.stream().filter(l -> l.kind() == LinkKind.DATA && l.sourceId() == source.value()).toList();
    }

    /** The data links arriving at pad {@code sink}. */
    public List<MediaLink> linksTo(PadId sink) {
        return links.stream().filter(l -> l.kind() == LinkKind.DATA && l.sinkId() == sink.value()).toList();
    }

    /** The data link from pad {@code source} to pad {@code sink}, if the graph has one. */
    public Optional<MediaLink> link(PadId source, PadId sink) {
        return linksFrom(source).stream().filter(l -> l.sinkId() == sink.value()).findFirst();
    }

    /** The interface (device node) linked to {@code entity}: its video node or sub-device node. */
    public Optional<MediaInterface> interfaceOf(EntityId entity) {
        return links.stream().filter(l -> l.kind() == LinkKind.INTERFACE && l.sinkId() == entity.value())
                .map(l -> interfaceById.get(l.sourceId())).filter(i -> i != null).findFirst();
    }

    /** The device node of {@code entity} ({@code /dev/videoN}, {@code /dev/v4l-subdevN}), when it has one. */
    public Optional<Path> node(EntityId entity) {
        return interfaceOf(entity).flatMap(MediaInterface::node);
    }

    /** The entity whose interface is the device node {@code node} (a video node's DMA entity, a sub-device). */
    public Optional<MediaEntity> entityOfNode(Path node) {
        Path wanted = node.toAbsolutePath().normalize();
        for (MediaLink l : links) {
            MediaInterface i = l.kind() == LinkKind.INTERFACE ? interfaceById.get(l.sourceId()) : null;
            if (i != null && i.node().map(wanted::equals).orElse(false)) {
                return Optional.ofNullable(entityById.get(l.sinkId()));
            }
        }
        return Optional.empty();
    }

    /** {@code "Entity name":index}, as media-ctl writes a pad. */
    public String padName(PadId id) {
        MediaPad p = padById.get(id.value());
        if (p == null) {
            return "pad " + id;
        }
        MediaEntity e = entityById.get(p.entity().value());
        return "\"" + (e == null ? "entity " + p.entity() : e.name()) + "\":" + p.index();
    }

    /** {@code "Source":0 -> "Sink":0} for a data link; the ids for other links. */
    public String linkName(MediaLink link) {
        return link.kind() == LinkKind.DATA ? padName(link.sourcePad()) + " -> " + padName(link.sinkPad())
                : link.kind() + " link " + link.sourceId() + " -> " + link.sinkId();
    }

    /** "; links from that pad: ..." or "; that pad has no links", for messages. */
    String linksFromText(PadId source) {
        if (!padById.containsKey(source.value())) {
            return "; " + source + " is not a pad of this graph";
        }
        List<String> names = linksFrom(source).stream().map(this::linkName).toList();
        return names.isEmpty() ? "; " + padName(source) + " has no links" : "; links from " + padName(source) + ": "
                + String.join(", ", names);
    }

    private List<String> entityNames() {
        return entities.stream().map(e -> e.id() + " \"" + e.name() + "\"").toList();
    }

    /**
     * The graph as readable text, laid out as {@code media-ctl -p} lays it out (its entity, device node, pad and link
     * lines read the same; the pad formats, which belong to the sub-devices, are left out): per entity its id, name,
     * pad and data link counts, function, flags and device node, then per pad its direction and its data links
     * ({@code ->} outgoing, {@code <-} incoming) with their flags.
     */
    public String describe() {
        StringBuilder out = new StringBuilder();
        for (MediaEntity e : entities) {
            List<MediaPad> entityPads = pads(e.id());
            long linkCount = links.stream().filter(l -> l.kind() == LinkKind.DATA && touches(l, e.id())).count();
            out.append("- entity ").append(e.id()).append(": ").append(e.name()).append(" (")
                    .append(plural(entityPads.size(), "pad")).append(", ").append(plural(linkCount, "link"))
                    .append(")\n");
            out.append("            function ").append(e.function() == EntityFunction.OTHER
                    ? "0x" + Integer.toHexString(e.functionCode()) : e.function().kernelName());
            if (!e.flags().isEmpty() || e.unknownFlags() != 0) {
                out.append(" flags ").append(e.flags()).append(e.unknownFlags() != 0
                        ? " + 0x" + Integer.toHexString(e.unknownFlags()) : "");
            }
            out.append('\n');
            node(e.id()).ifPresent(n -> out.append("            device node name ").append(n).append('\n'));
            for (MediaPad p : entityPads) {
                out.append("\tpad").append(p.index()).append(": ").append(padFlags(p)).append('\n');
                for (MediaLink l : linksFrom(p.id())) {
                    out.append("\t\t-> ").append(padName(l.sinkPad())).append(' ').append(linkFlags(l)).append('\n');
                }
                for (MediaLink l : linksTo(p.id())) {
                    out.append("\t\t<- ").append(padName(l.sourcePad())).append(' ').append(linkFlags(l)).append('\n');
                }
            }
            out.append('\n');
        }
        return out.toString();
    }

    private boolean touches(MediaLink l, EntityId entity) {
        MediaPad source = padById.get(l.sourceId());
        MediaPad sink = padById.get(l.sinkId());
        return source != null && source.entity().equals(entity) || sink != null && sink.entity().equals(entity);
    }

    /** media-ctl's counts: "1 pad", "2 pads", and "0 link" (a plural only above one). */
    private static String plural(long n, String word) {
        return n + " " + word + (n > 1 ? "s" : "");
    }

    private static String padFlags(MediaPad p) {
        List<String> words = new ArrayList<>();
        if (p.isSink()) {
            words.add("Sink");
        }
        if (p.isSource()) {
            words.add("Source");
        }
        if (p.flags().contains(PadFlag.MUST_CONNECT)) {
            words.add("Must Connect");
        }
        if (p.unknownFlags() != 0) {
            words.add("0x" + Integer.toHexString(p.unknownFlags()));
        }
        return String.join(", ", words);
    }

    private static String linkFlags(MediaLink l) {
        List<String> words = new ArrayList<>();
        if (l.isEnabled()) {
            words.add("ENABLED");
        }
        if (l.isImmutable()) {
            words.add("IMMUTABLE");
        }
        if (l.flags().contains(LinkFlag.DYNAMIC)) {
            words.add("DYNAMIC");
        }
        if (l.unknownFlags() != 0) {
            words.add("0x" + Integer.toHexString(l.unknownFlags()));
        }
        return "[" + String.join(",", words) + "]";
    }

    /**
     * The graph in Graphviz dot form, line for line what {@code media-ctl --print-dot} prints: a yellow box per video
     * (I/O) entity labelled with its name and node, a green record per sub-device with its sink pads, name, node and
     * source pads as ports, and an edge per data link: bold when immutable, dashed when disabled. Interface and
     * ancillary links are left out, as media-ctl leaves them out.
     */
    public String toDot() {
        StringBuilder out = new StringBuilder("digraph board {\n\trankdir=TB\n");
        for (MediaEntity e : entities) {
            String node = node(e.id()).map(Path::toString).orElse(null);
            boolean io = isIo(e);
            if (io) {
                out.append(String.format("\tn%08x [label=\"%s\\n%s\", shape=box, style=filled, fillcolor=yellow]%n",
                        e.id().value(), e.name(), node == null ? "" : node));
            } else {
                out.append(String.format("\tn%08x [label=\"{{%s} | %s%s | {%s}}\", shape=Mrecord, style=filled, "
                        + "fillcolor=green]%n", e.id().value(), ports(e, true), e.name(),
                        node == null ? "" : "\\n" + node, ports(e, false)));
            }
            for (MediaPad p : pads(e.id())) {
                for (MediaLink l : linksFrom(p.id())) {
                    MediaPad sink = pad(l.sinkPad());
                    MediaEntity to = entity(sink.entity());
                    out.append(String.format("\tn%08x%s -> n%08x%s%s%n", e.id().value(),
                            io ? "" : ":port" + p.index(), to.id().value(),
                            isIo(to) ? "" : ":port" + sink.index(),
                            l.isImmutable() ? " [style=bold]" : l.isEnabled() ? "" : " [style=dashed]"));
                }
            }
        }
        return out.append("}\n").toString();
    }

    private String ports(MediaEntity e, boolean sinks) {
        List<String> ports = new ArrayList<>();
        for (MediaPad p : pads(e.id())) {
            if (sinks ? p.isSink() : p.isSource()) {
                ports.add("<port" + p.index() + "> " + p.index());
            }
        }
        return String.join(" | ", ports);
    }

    /**
     * Whether media-ctl draws {@code e} as a device node rather than a sub-device, as the kernel's legacy entity type
     * ({@code MEDIA_IOC_ENUM_ENTITIES}, which media-ctl reads) says: a sub-device only when the entity is a V4L2
     * sub-device, which userspace sees as its sub-device node interface. Without an interface, the functions only
     * sub-devices have (sensors, lenses, flashes, tuners, bridges, muxes, decoders of analog or digital video) are
     * taken as sub-devices without nodes; any other entity is a plain one, drawn as a node (the processing entity
     * between a memory-to-memory device's queues, vim2m-proc or vicodec-proc, whose function is a PROC_VIDEO_* one).
     */
    private boolean isIo(MediaEntity e) {
        return interfaceOf(e.id()).map(i -> i.type() != InterfaceType.V4L_SUBDEV).orElseGet(() ->
                switch (e.function()) {
                    case V4L2_SUBDEV_UNKNOWN, CAM_SENSOR, FLASH, LENS, TUNER, VID_MUX, VID_IF_BRIDGE, ATV_DECODER,
                         DV_DECODER, DV_ENCODER -> false;
                    default -> true;
                });
    }
}
