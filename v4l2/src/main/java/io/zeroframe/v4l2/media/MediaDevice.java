package io.zeroframe.v4l2.media;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.media.media_device_info;
import io.zeroframe.bindings.media.media_h;
import io.zeroframe.bindings.media.media_link_desc;
import io.zeroframe.bindings.media.media_pad_desc;
import io.zeroframe.bindings.media.media_v2_entity;
import io.zeroframe.bindings.media.media_v2_interface;
import io.zeroframe.bindings.media.media_v2_intf_devnode;
import io.zeroframe.bindings.media.media_v2_link;
import io.zeroframe.bindings.media.media_v2_pad;
import io.zeroframe.bindings.media.media_v2_topology;
import io.zeroframe.bindings.sys.DeviceErrors;
import io.zeroframe.bindings.sys.DeviceNodes;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An open media controller device ({@code /dev/mediaN}): the graph of entities, pads, links and interfaces that a
 * camera made of sub-devices (sensor, receiver, ISP, scaler) exposes, and the switch for its links.
 *
 * {@snippet :
 * try (MediaDevice media = MediaDevice.open(Path.of("/dev/media0"))) {
 *     MediaTopology graph = media.topology();
 *     MediaEntity capture = graph.entity("RGB/YUV Capture").orElseThrow();
 *     System.out.println(graph.describe());
 * }
 * }
 *
 * <p>The node is opened {@code O_RDWR}; every call is one ioctl on it ({@code MEDIA_IOC_DEVICE_INFO},
 * {@code MEDIA_IOC_G_TOPOLOGY}, {@code MEDIA_IOC_SETUP_LINK}) with scratch structs in a confined arena per call.
 * The objects of the graph belong to the kernel: they are returned as immutable snapshots ({@link MediaTopology}).
 *
 * <p>Thread-safety: {@link #close()} may be called from any thread at any time; a call in flight keeps the fd
 * number alive until it returns and calls after the close throw {@link io.zeroframe.bindings.FdClosedException}.
 * Other calls may be made from several threads (each uses its own scratch memory).
 */
public final class MediaDevice implements AutoCloseable {
    static final IoctlRequest MEDIA_IOC_DEVICE_INFO = IoctlRequest.of("MEDIA_IOC_DEVICE_INFO", media_h.MEDIA_IOC_DEVICE_INFO());
    static final IoctlRequest MEDIA_IOC_G_TOPOLOGY = IoctlRequest.of("MEDIA_IOC_G_TOPOLOGY", media_h.MEDIA_IOC_G_TOPOLOGY());
    static final IoctlRequest MEDIA_IOC_SETUP_LINK = IoctlRequest.of("MEDIA_IOC_SETUP_LINK", media_h.MEDIA_IOC_SETUP_LINK());

    private static final DeviceErrors ERRORS = new DeviceErrors("the media device is gone (its driver was unbound "
            + "or unloaded); close it and find the device again");
    /** How often {@link #topology()} asks again when the graph grew between its two calls. */
    private static final int TOPOLOGY_ATTEMPTS = 5;

    private final OwnedFd fd;
    private final MediaDeviceInfo info;

    private MediaDevice(OwnedFd fd, MediaDeviceInfo info) {
        this.fd = fd;
        this.info = info;
    }

    /**
     * Opens a media device node and identifies it with {@code MEDIA_IOC_DEVICE_INFO}.
     *
     * @throws KernelException {@code open} ENOENT for a missing node, a
     *         {@link io.zeroframe.bindings.DevicePermissionException} for one this process may not open;
     *         {@code MEDIA_IOC_DEVICE_INFO} ENOTTY for a file that is not a media device (a video node,
     *         {@code /dev/null}), with the advice to pass {@code /dev/mediaN}
     */
    public static MediaDevice open(Path node) throws KernelException {
        OwnedFd fd = Syscalls.open(node, Syscalls.O_RDWR);
        try {
            return new MediaDevice(fd, queryInfo(fd));
        } catch (KernelException | RuntimeException | Error e) {
            fd.close();
            throw e;
        }
    }

    /**
     * The media device nodes of this machine ({@code /dev/mediaN}, in numeric order), opening none of them; open one
     * and ask its {@link #info()} to tell the drivers apart.
     */
    public static List<Path> list() throws IOException {
        return DeviceNodes.list(Path.of("/dev"), "media");
    }

    private static MediaDeviceInfo queryInfo(OwnedFd fd) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = media_device_info.allocate(arena);
            s.fill((byte) 0);
            int result = Syscalls.tryIoctl(fd, MEDIA_IOC_DEVICE_INFO, s);
            if (result < 0) {
                String detail = -result == Errno.ENOTTY || -result == Errno.EINVAL
                        ? "not a media controller device; pass a /dev/mediaN node (video and sub-device nodes "
                                + "are opened with VideoDevice and SubDevice)"
                        : null;
                throw ERRORS.failure(fd, MEDIA_IOC_DEVICE_INFO.name(), -result, detail);
            }
            return new MediaDeviceInfo(media_device_info.driver(s).getString(0),
                    media_device_info.model(s).getString(0), media_device_info.serial(s).getString(0),
                    media_device_info.bus_info(s).getString(0), media_device_info.media_version(s),
                    media_device_info.hw_revision(s), media_device_info.driver_version(s));
        }
    }

    /** What {@code MEDIA_IOC_DEVICE_INFO} said when the device was opened. */
    public MediaDeviceInfo info() {
        return info;
    }

    /** The node's path, e.g. {@code /dev/media0}. */
    public Path path() {
        return Path.of(fd.path());
    }

    /** Whether {@link #close()} has not been called. */
    public boolean isOpen() {
        return fd.isOpen();
    }

    /**
     * The whole graph now ({@code MEDIA_IOC_G_TOPOLOGY}, twice: the counts first, then the arrays): entities,
     * interfaces with their device nodes, pads and links, as an immutable snapshot. Should the graph grow between
     * the two calls (ENOSPC: a dynamic driver), it asks again.
     *
     * @throws KernelException {@code MEDIA_IOC_G_TOPOLOGY} failures; {@link io.zeroframe.bindings.DeviceGoneException}
     *         once the device is gone; {@link io.zeroframe.bindings.FdClosedException} once closed
     */
    public MediaTopology topology() throws KernelException {
        for (int attempt = 1; ; attempt++) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment t = media_v2_topology.allocate(arena);
                t.fill((byte) 0);
                ioctl(MEDIA_IOC_G_TOPOLOGY, t, "counting the graph's objects");
                int entities = media_v2_topology.num_entities(t);
                int interfaces = media_v2_topology.num_interfaces(t);
                int pads = media_v2_topology.num_pads(t);
                int links = media_v2_topology.num_links(t);
                MemorySegment e = array(arena, media_v2_entity.layout().byteSize(), entities);
                MemorySegment i = array(arena, media_v2_interface.layout().byteSize(), interfaces);
                MemorySegment p = array(arena, media_v2_pad.layout().byteSize(), pads);
                MemorySegment l = array(arena, media_v2_link.layout().byteSize(), links);
                media_v2_topology.ptr_entities(t, e.address());
                media_v2_topology.ptr_interfaces(t, i.address());
                media_v2_topology.ptr_pads(t, p.address());
                media_v2_topology.ptr_links(t, l.address());
                int result = Syscalls.tryIoctl(fd, MEDIA_IOC_G_TOPOLOGY, t);
                if (result == -Errno.ENOSPC && attempt < TOPOLOGY_ATTEMPTS) {
                    continue; // the graph grew since the count
                }
                if (result < 0) {
                    throw failure(MEDIA_IOC_G_TOPOLOGY.name(), -result, "reading the graph's arrays");
                }
                return decode(media_v2_topology.topology_version(t), e, media_v2_topology.num_entities(t), i,
                        media_v2_topology.num_interfaces(t), p, media_v2_topology.num_pads(t), l,
                        media_v2_topology.num_links(t));
            }
        }
    }

    /** Room for {@code count} kernel structs; a non-null pointer even when the count is 0. */
    private static MemorySegment array(Arena arena, long size, int count) {
        MemorySegment a = arena.allocate(size * Math.max(count, 1), 8);
        a.fill((byte) 0);
        return a;
    }

    private static MediaTopology decode(long version, MemorySegment e, int entities, MemorySegment i, int interfaces,
                                        MemorySegment p, int pads, MemorySegment l, int links) {
        List<MediaEntity> entityList = new ArrayList<>(entities);
        for (int n = 0; n < entities; n++) {
            MemorySegment s = media_v2_entity.asSlice(e, n);
            int function = media_v2_entity.function(s);
            int flags = media_v2_entity.flags(s);
            entityList.add(new MediaEntity(new EntityId(media_v2_entity.id(s)), media_v2_entity.name(s).getString(0),
                    EntityFunction.of(function), function, EntityFlag.decode(flags), EntityFlag.unknown(flags)));
        }
        List<MediaInterface> interfaceList = new ArrayList<>(interfaces);
        for (int n = 0; n < interfaces; n++) {
            MemorySegment s = media_v2_interface.asSlice(i, n);
            int type = media_v2_interface.intf_type(s);
            MemorySegment devnode = media_v2_interface.devnode(s);
            int major = media_v2_intf_devnode.major(devnode);
            int minor = media_v2_intf_devnode.minor(devnode);
            interfaceList.add(new MediaInterface(new InterfaceId(media_v2_interface.id(s)), InterfaceType.of(type),
                    type, major, minor, CharDevices.node(major, minor)));
        }
        List<MediaPad> padList = new ArrayList<>(pads);
        for (int n = 0; n < pads; n++) {
            MemorySegment s = media_v2_pad.asSlice(p, n);
            int flags = media_v2_pad.flags(s);
            padList.add(new MediaPad(new PadId(media_v2_pad.id(s)), new EntityId(media_v2_pad.entity_id(s)),
                    media_v2_pad.index(s), PadFlag.decode(flags), PadFlag.unknown(flags)));
        }
        List<MediaLink> linkList = new ArrayList<>(links);
        for (int n = 0; n < links; n++) {
            MemorySegment s = media_v2_link.asSlice(l, n);
            int flags = media_v2_link.flags(s);
            int state = flags & ~LinkKind.MASK;
            linkList.add(new MediaLink(new LinkId(media_v2_link.id(s)), LinkKind.of(flags),
                    media_v2_link.source_id(s), media_v2_link.sink_id(s), LinkFlag.decode(state),
                    LinkFlag.unknown(state)));
        }
        return new MediaTopology(version, entityList, interfaceList, padList, linkList);
    }

    /**
     * Enables or disables the data link from pad {@code source} to pad {@code sink} ({@code MEDIA_IOC_SETUP_LINK}).
     * The link is looked up in a fresh {@link #topology()} first, so that a request for a link the graph lacks, or
     * to change an immutable one, fails saying so instead of with the kernel's bare EINVAL. Setting a link to the
     * state it has is allowed (the kernel does nothing).
     *
     * @throws KernelException {@code MEDIA_IOC_SETUP_LINK} EINVAL "no such link" (naming the links the source pad
     *         has) or "immutable link"; EBUSY while a pipeline through the link streams; ENODEV once the device
     *         is gone
     */
    public void setupLink(PadId source, PadId sink, boolean enabled) throws KernelException {
        MediaTopology graph = topology();
        MediaLink link = graph.link(source, sink).orElseThrow(() -> failure(MEDIA_IOC_SETUP_LINK.name(), Errno.EINVAL,
                "no such link: " + graph.padName(source) + " -> " + graph.padName(sink) + " is not a data link of "
                        + "this graph" + graph.linksFromText(source)));
        if (link.isImmutable() && link.isEnabled() != enabled) {
            throw failure(MEDIA_IOC_SETUP_LINK.name(), Errno.EINVAL, "immutable link: " + graph.linkName(link)
                    + " is always " + (link.isEnabled() ? "enabled" : "disabled") + " and cannot be changed");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment d = media_link_desc.allocate(arena);
            d.fill((byte) 0);
            pad(graph, media_link_desc.source(d), source);
            pad(graph, media_link_desc.sink(d), sink);
            // the link's other flags go along: the kernel accepts an immutable link only with its flags unchanged
            int kept = (link.isImmutable() ? LinkFlag.IMMUTABLE.bit() : 0)
                    | (link.flags().contains(LinkFlag.DYNAMIC) ? LinkFlag.DYNAMIC.bit() : 0);
            media_link_desc.flags(d, kept | (enabled ? LinkFlag.ENABLED.bit() : 0));
            int result = Syscalls.tryIoctl(fd, MEDIA_IOC_SETUP_LINK, d);
            if (result < 0) {
                String detail = graph.linkName(link) + (enabled ? " [ENABLED]" : " [disabled]")
                        + (-result == Errno.EBUSY ? ": a pipeline through it is streaming; stop it first" : "");
                throw failure(MEDIA_IOC_SETUP_LINK.name(), -result, detail);
            }
        }
    }

    /** Like {@link #setupLink(PadId, PadId, boolean)} for a data link of a snapshot. */
    public void setupLink(MediaLink link, boolean enabled) throws KernelException {
        setupLink(link.sourcePad(), link.sinkPad(), enabled);
    }

    private static void pad(MediaTopology graph, MemorySegment desc, PadId id) {
        MediaPad pad = graph.pad(id);
        media_pad_desc.entity(desc, pad.entity().value());
        media_pad_desc.index(desc, (short) pad.index());
        media_pad_desc.flags(desc, pad.flags().contains(PadFlag.SOURCE) ? PadFlag.SOURCE.bit() : PadFlag.SINK.bit());
    }

    /**
     * The device and its graph as readable text, like {@code media-ctl -p} without pad formats: the device
     * information, then each entity with its function, device node, pads and links (see
     * {@link MediaTopology#describe()}).
     */
    public String describe() throws KernelException {
        MediaTopology graph = topology();
        return "Media device " + path() + ": driver " + info.driver() + ", model \"" + info.model() + "\", bus "
                + info.busInfo() + ", media API " + MediaDeviceInfo.versionString(info.mediaVersion())
                + ", topology version " + graph.version() + "\n" + graph.describe();
    }

    /** The graph in Graphviz dot form, as {@code media-ctl --print-dot} prints it (see {@link MediaTopology#toDot()}). */
    public String toDot() throws KernelException {
        return topology().toDot();
    }

    /** Closes the node. Idempotent, callable from any thread, never throws; a call in flight finishes first. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "MediaDevice[" + fd.path() + " " + info.driver() + " \"" + info.model() + "\""
                + (fd.isOpen() ? "" : " closed") + "]";
    }

    private void ioctl(IoctlRequest request, MemorySegment arg, String detail) throws KernelException {
        int result = Syscalls.tryIoctl(fd, request, arg);
        if (result < 0) {
            throw failure(request.name(), -result, detail);
        }
    }

    private KernelException failure(String operation, int errno, String detail) {
        return ERRORS.failure(fd, operation, errno, detail);
    }
}
