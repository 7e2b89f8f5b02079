package io.zeroframe.drm;

import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_CRTC_GET_SEQUENCE;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_CRTC_QUEUE_SEQUENCE;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_DROP_MASTER;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_GET_CAP;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_ADDFB2;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_PRIME_FD_TO_HANDLE;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_SET_CLIENT_CAP;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_SET_MASTER;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_VERSION;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_WAIT_VBLANK;

import io.zeroframe.bindings.DeviceGoneException;
import io.zeroframe.bindings.DevicePermissionException;
import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.drm.drm_crtc_get_sequence;
import io.zeroframe.bindings.drm.drm_crtc_queue_sequence;
import io.zeroframe.bindings.drm.drm_get_cap;
import io.zeroframe.bindings.drm.drm_h;
import io.zeroframe.bindings.drm.drm_wait_vblank_request;
import io.zeroframe.bindings.drm.drm_set_client_cap;
import io.zeroframe.bindings.drm.drm_version;
import io.zeroframe.bindings.sys.DeviceErrors;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.internal.ThreadScratch;
import io.zeroframe.dmabuf.negotiation.Attempt;
import io.zeroframe.dmabuf.negotiation.TrialResult;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An open DRM device: a card ({@code /dev/dri/cardN}, mode setting) or a render node ({@code /dev/dri/renderDN},
 * buffers only). Opening reads the driver's version and every {@link Capability} once, and sets the requested
 * {@link ClientCap}s once ({@code DRM_IOCTL_SET_CLIENT_CAP}; caps the driver refuses are left out of
 * {@link #clientCaps()}, and render nodes get none).
 *
 * <p><b>Master.</b> The first process to open a card becomes DRM master; mode setting
 * ({@code DRM_IOCTL_MODE_ATOMIC}, {@code SETCRTC}, {@code PAGE_FLIP}, {@code SETPLANE}) needs it. Calls that need
 * it throw a {@link DevicePermissionException} saying "not master" when another process holds master. A process
 * without {@code CAP_SYS_ADMIN} can take master back ({@link #setMaster()}) only on a file that was master before.
 *
 * <p><b>Errors.</b> Every failure names the ioctl and the node. ENODEV from a call on the device means the device
 * is gone ({@link DeviceGoneException}), except from a PRIME import, where it means the driver refused that
 * buffer (virtio-gpu refuses foreign dma-bufs).
 *
 * <p><b>Lifetime.</b> Buffers, handles, framebuffers and blobs made through this device belong to this open file:
 * the kernel frees them all when it is closed. {@link #close()} may be called from any thread, also while another
 * thread waits for an event (it is woken with {@link io.zeroframe.bindings.FdClosedException}). Queries are
 * thread-safe; see each class for the objects made here.
 *
 * {@snippet :
 * DrmDeviceInfo info = DrmDevices.findByDriver("vkms").orElseThrow();
 * try (DrmDevice card = DrmDevice.open(info.path())) {
 *     for (Plane plane : card.planes()) {
 *         System.out.println(plane.id() + " " + plane.type() + " " + plane.modifiers());
 *     }
 * }
 * }
 */
public final class DrmDevice implements AutoCloseable {
    private static final String NOT_MASTER = "this file is not DRM master: another process (a compositor, a display "
            + "server, a console, or another open file of this card) holds master, or this file dropped it. Stop or "
            + "switch away from the other master and close its fd; a process without CAP_SYS_ADMIN becomes master "
            + "by being the first to open the card, and can take it back (setMaster) only on a file that was master";

    private static final DeviceErrors ERRORS = new DeviceErrors(
            "the DRM device is gone (unplugged or unbound); close it and find the device again");

    /** Advice for ENOMEM from a call that queues an event (drm_event_reserve_init: the file's event space is full). */
    static final String EVENTS_UNREAD = "the kernel queues no more events for this file: up to 128 unread events "
            + "(4 KiB of vblank, flip or sequence events) wait to be read; read them with DrmEvents "
            + "(card.events().read) before asking for more";

    private final OwnedFd fd;
    private final DrmVersion version;
    private final DrmCapabilities capabilities;
    private final Set<ClientCap> clientCaps;
    private final boolean renderNode;
    private final GemHandles handles;
    private final KmsReader reader;
    private volatile DrmEvents events;
    // vblank requests: the CRTC ids in index order (read once)
    private volatile int[] crtcIds;

    private DrmDevice(OwnedFd fd, DrmVersion version, DrmCapabilities capabilities, Set<ClientCap> clientCaps,
                      boolean renderNode) {
        this.fd = fd;
        this.version = version;
        this.capabilities = capabilities;
        this.clientCaps = clientCaps;
        this.renderNode = renderNode;
        this.handles = new GemHandles(this);
        this.reader = new KmsReader(this);
    }

    /**
     * Opens a card or render node with every {@link ClientCap} the driver grants.
     *
     * @throws KernelException from {@code open} (a {@link DevicePermissionException} naming the node's owner and
     *         mode, ENOENT), or from {@code DRM_IOCTL_VERSION}/{@code DRM_IOCTL_GET_CAP} (ENOTTY: not a DRM node)
     */
    public static DrmDevice open(Path node) throws KernelException {
        return open(node, EnumSet.allOf(ClientCap.class));
    }

    /**
     * Opens a card or render node and asks for {@code clientCaps} (in the order universal planes, atomic, writeback
     * connectors, aspect ratio); those the driver refuses are left out of {@link #clientCaps()}.
     *
     * @throws KernelException as {@link #open(Path)}; the fd is closed on failure
     */
    public static DrmDevice open(Path node, Set<ClientCap> clientCaps) throws KernelException {
        Objects.requireNonNull(node, "node");
        OwnedFd fd = Syscalls.open(node, Syscalls.O_RDWR | Syscalls.O_NONBLOCK);
        try (Arena arena = Arena.ofConfined()) {
            boolean render = node.getFileName().toString().startsWith("renderD");
            DrmVersion version = readVersion(fd, arena);
            Map<Capability, Long> caps = new EnumMap<>(Capability.class);
            MemorySegment cap = drm_get_cap.allocate(arena);
            for (Capability capability : Capability.values()) {
                drm_get_cap.capability(cap, capability.code());
                drm_get_cap.value(cap, 0);
                if (Syscalls.tryIoctl(fd, DRM_IOCTL_GET_CAP, cap) >= 0) {
                    caps.put(capability, drm_get_cap.value(cap));
                }
            }
            EnumSet<ClientCap> granted = EnumSet.noneOf(ClientCap.class);
            if (!render) {
                MemorySegment set = drm_set_client_cap.allocate(arena);
                for (ClientCap clientCap : clientCaps) {
                    drm_set_client_cap.capability(set, clientCap.code());
                    drm_set_client_cap.value(set, 1);
                    if (Syscalls.tryIoctl(fd, DRM_IOCTL_SET_CLIENT_CAP, set) >= 0) {
                        granted.add(clientCap);
                    }
                }
                if (granted.contains(ClientCap.ATOMIC)) {
                    granted.add(ClientCap.UNIVERSAL_PLANES); // atomic implies it (drm_setclientcap)
                }
            }
            return new DrmDevice(fd, version, new DrmCapabilities(caps), Collections.unmodifiableSet(granted),
                    render);
        } catch (KernelException | RuntimeException | Error e) {
            fd.close();
            throw e;
        }
    }

    /** {@code DRM_IOCTL_VERSION} twice: the lengths, then the strings (in {@code arena}); the fd is borrowed. */
    static DrmVersion readVersion(OwnedFd fd, Arena arena) throws KernelException {
        MemorySegment version = drm_version.allocate(arena);
        Syscalls.ioctl(fd, DRM_IOCTL_VERSION, version);
        MemorySegment name = arena.allocate(drm_version.name_len(version) + 1);
        MemorySegment date = arena.allocate(drm_version.date_len(version) + 1);
        MemorySegment desc = arena.allocate(drm_version.desc_len(version) + 1);
        drm_version.name(version, name);
        drm_version.date(version, date);
        drm_version.desc(version, desc);
        Syscalls.ioctl(fd, DRM_IOCTL_VERSION, version);
        return new DrmVersion(name.getString(0), desc.getString(0), date.getString(0),
                drm_version.version_major(version), drm_version.version_minor(version),
                drm_version.version_patchlevel(version));
    }

    /** The node this device was opened from. */
    public String path() {
        return fd.path();
    }

    /** Whether this was opened through a render node (no mode setting). */
    public boolean isRenderNode() {
        return renderNode;
    }

    /** What {@code DRM_IOCTL_VERSION} said when the device was opened. */
    public DrmVersion version() {
        return version;
    }

    /** The {@code DRM_CAP_*} values read when the device was opened. */
    public DrmCapabilities capabilities() {
        return capabilities;
    }

    /** The client caps the driver granted when the device was opened. */
    public Set<ClientCap> clientCaps() {
        return clientCaps;
    }

    /** Whether {@link ClientCap#ATOMIC} was granted: atomic commits are possible. */
    public boolean isAtomic() {
        return clientCaps.contains(ClientCap.ATOMIC);
    }

    /** Whether the device is still open. */
    public boolean isOpen() {
        return fd.isOpen();
    }

    // ---- master

    /**
     * Takes DRM master ({@code DRM_IOCTL_SET_MASTER}); does nothing if this file is master already.
     *
     * @throws DevicePermissionException EACCES (without {@code CAP_SYS_ADMIN}, only a file that was master may
     *         take it back) or EBUSY (another file is master), with advice
     */
    public void setMaster() throws KernelException {
        int result = Syscalls.tryIoctl(fd, DRM_IOCTL_SET_MASTER, MemorySegment.NULL);
        if (result == -Errno.EACCES || result == -Errno.EPERM || result == -Errno.EBUSY) {
            throw new DevicePermissionException(DRM_IOCTL_SET_MASTER.name(), fd.path(), -result, NOT_MASTER);
        }
        check(DRM_IOCTL_SET_MASTER, result, null);
    }

    /**
     * Gives up DRM master ({@code DRM_IOCTL_DROP_MASTER}), so that another process can take it.
     *
     * @throws KernelException EINVAL if this file is not master; a {@link DevicePermissionException} (EACCES) if it
     *         never was master and the process lacks {@code CAP_SYS_ADMIN}
     */
    public void dropMaster() throws KernelException {
        int result = Syscalls.tryIoctl(fd, DRM_IOCTL_DROP_MASTER, MemorySegment.NULL);
        // EACCES gets the "not master" advice from failure(); EINVAL (a file that was master before) only this
        check(DRM_IOCTL_DROP_MASTER, result, result == -Errno.EACCES ? null : "this file is not DRM master");
    }

    // ---- objects

    /** The ids of the device's connectors, CRTCs, encoders, framebuffers and planes. */
    public Resources resources() throws KernelException {
        return reader.resources();
    }

    /**
     * A connector's description after probing it ({@code DRM_IOCTL_MODE_GETCONNECTOR} asking for a probe): when
     * this file is DRM master the kernel re-detects the display and re-reads its modes (on a real monitor DDC/EDID
     * reads that can take tens of milliseconds; a non-master file gets the current state). Use it when displays may
     * have changed (start-up, a hotplug event); {@link #connectorCurrent} reads what the kernel knows without probing.
     */
    public Connector connector(ConnectorId id) throws KernelException {
        return reader.connector(id, true);
    }

    /**
     * A connector's current description, without probing ({@code DRM_IOCTL_MODE_GETCONNECTOR} with a mode slot
     * given on the first call, as libdrm's {@code drmModeGetConnectorCurrent}): the status and modes the kernel found
     * at its last probe, at the cost of two ioctls. For reading state often (a mode switch, a status display); the
     * modes are empty for a connector never probed.
     */
    public Connector connectorCurrent(ConnectorId id) throws KernelException {
        return reader.connector(id, false);
    }

    /** An encoder's description ({@code DRM_IOCTL_MODE_GETENCODER}). */
    public Encoder encoder(EncoderId id) throws KernelException {
        return reader.encoder(id);
    }

    /** A CRTC's description ({@code DRM_IOCTL_MODE_GETCRTC}). */
    public Crtc crtc(CrtcId id) throws KernelException {
        return reader.crtc(id);
    }

    /** A plane's description ({@code DRM_IOCTL_MODE_GETPLANE}, its properties and {@code IN_FORMATS}). */
    public Plane plane(PlaneId id) throws KernelException {
        return reader.plane(id);
    }

    /** Every connector, in the kernel's order, each probed as {@link #connector} does. */
    public List<Connector> connectors() throws KernelException {
        return reader.connectors(true);
    }

    /** Every connector, in the kernel's order, as it is now, without probing (see {@link #connectorCurrent}). */
    public List<Connector> connectorsCurrent() throws KernelException {
        return reader.connectors(false);
    }

    /** Every CRTC, in index order. */
    public List<Crtc> crtcs() throws KernelException {
        return reader.crtcs();
    }

    /** Every encoder. */
    public List<Encoder> encoders() throws KernelException {
        return reader.encoders();
    }

    /** Every plane. */
    public List<Plane> planes() throws KernelException {
        return reader.planes();
    }

    /** An object's properties with their current values ({@code DRM_IOCTL_MODE_OBJ_GETPROPERTIES}). */
    public ObjectProperties properties(ObjectId object) throws KernelException {
        return reader.properties(object);
    }

    /** A property's definition ({@code DRM_IOCTL_MODE_GETPROPERTY}); cached. */
    public Property property(PropertyId id) throws KernelException {
        return reader.property(id);
    }

    /** A property blob's bytes ({@code DRM_IOCTL_MODE_GETPROPBLOB}), e.g. an EDID or a {@code MODE_ID}. */
    public byte[] blob(BlobId id) throws KernelException {
        return reader.blob(id);
    }

    // ---- buffers

    /**
     * A new dumb buffer ({@code DRM_IOCTL_MODE_CREATE_DUMB}): CPU-drawable memory the device can scan out.
     *
     * @param bitsPerPixel e.g. 32 for XRGB8888 (virtio-gpu accepts only 32)
     * @throws KernelException EINVAL for sizes the driver refuses, ENOMEM
     */
    public DumbBuffer createDumbBuffer(int width, int height, int bitsPerPixel) throws KernelException {
        return DumbBuffer.create(this, width, height, bitsPerPixel);
    }

    /**
     * Imports a dma-buf as a GEM handle on this file ({@code DRM_IOCTL_PRIME_FD_TO_HANDLE}). Handles are counted
     * per file: importing the same buffer again returns another {@link GemHandle} for the same kernel handle, and
     * {@code DRM_IOCTL_GEM_CLOSE} runs once, when the last of them closes.
     *
     * @param buffer borrowed; held in use during the call
     * @throws KernelException ENODEV when the driver refuses to import that buffer (a plain
     *         {@code KernelException} saying so, not {@link DeviceGoneException}: virtio-gpu refuses foreign
     *         dma-bufs although it reports {@code DRM_PRIME_CAP_IMPORT}); EINVAL, ENOMEM
     */
    public GemHandle importDmaBuf(DmaBuf buffer) throws KernelException {
        return handles.importDmaBuf(buffer);
    }

    /**
     * Tries a PRIME import ({@code DRM_IOCTL_PRIME_FD_TO_HANDLE}), for probing whether this device takes a buffer:
     * the handle as {@link #importDmaBuf} makes it (the caller owns it), or the refusal as a value naming the call
     * and errno. ENODEV means the driver refuses buffers it did not make (virtio-gpu, although it reports
     * {@code DRM_PRIME_CAP_IMPORT}): {@link TrialResult.Outcome#FIXABLE_BY_REALLOCATION fixable}, "the driver refuses
     * foreign buffers", since a buffer this device allocates itself imports; other refusals (EINVAL, ENOMEM) are
     * fixable too. Nothing is left on the file after a refusal.
     *
     * @param buffer borrowed; held in use during the call
     * @throws IllegalArgumentException if {@code buffer} is closed (a caller's mistake, not a refusal)
     * @throws IllegalStateException if this device is closed
     */
    public Attempt<GemHandle> tryImport(DmaBuf buffer) {
        Objects.requireNonNull(buffer, "buffer");
        checkTrialInput(buffer.isOpen(), DRM_IOCTL_PRIME_FD_TO_HANDLE.name(), buffer.toString());
        try {
            return Attempt.accepted(handles.importDmaBuf(buffer));
        } catch (FdClosedException e) {
            throw new IllegalStateException(e.getMessage(), e); // closed meanwhile, by another thread
        } catch (KernelException e) {
            return Attempt.refused(TrialResult.refused(e, TrialResult.Outcome.FIXABLE_BY_REALLOCATION,
                    e.errno() == Errno.ENODEV ? "the driver refuses foreign buffers"
                            : "the driver refused to import " + buffer));
        }
    }

    /**
     * Tries to register {@code frame}'s bytes as a framebuffer in format {@code as} ({@code DRM_IOCTL_MODE_ADDFB2}),
     * for probing: each plane's buffer is imported as {@link #tryImport} does, the frame's pitches and offsets are
     * passed, and the frame's modifier with {@code DRM_MODE_FB_MODIFIERS} only when {@code modifierFlag}. {@code as}
     * may differ from the frame's format where the bytes are laid out alike: an ARGB8888 frame registered as
     * XRGB8888 (alpha ignored), an NV12M frame as NV12. Unlike {@link #addFramebuffer(Frame)} nothing is retried
     * here (no fallback without modifiers): the caller (the planner) decides what to try next.
     *
     * <p>Refusals are {@link TrialResult.Outcome#FIXABLE_BY_REALLOCATION fixable}: a refused import (see
     * {@link #tryImport}), or ADDFB2's EINVAL (a format, pitch, offset or modifier the driver refuses; the
     * modifier flag without {@code DRM_CAP_ADDFB2_MODIFIERS}) or ENOSPC (buffers too small for the size); only
     * ENODEV from ADDFB2 (the device is gone) is {@link TrialResult.Outcome#NOT_FIXABLE not fixable}. The
     * imported handles are closed again whatever happened (an accepted framebuffer holds its own references), so
     * a refusal leaves no handle and no framebuffer.
     *
     * @param frame borrowed; the framebuffer keeps the memory alive after the frame is closed
     * @return the framebuffer (the caller owns it: close removes it), or the refusal
     * @throws IllegalArgumentException if the frame is closed, or {@code as} does not lay its planes out as the
     *         frame's format does (another plane count, subsampling or bytes per sample)
     * @throws IllegalStateException if this device is closed
     */
    public Attempt<Framebuffer> tryAddFramebuffer(Frame frame, PixelFormat as, boolean modifierFlag) {
        Objects.requireNonNull(frame, "frame");
        Objects.requireNonNull(as, "as");
        checkTrialInput(frame.isOpen(), DRM_IOCTL_MODE_ADDFB2.name(), frame.toString());
        return Framebuffer.tryAdd(this, frame, as, modifierFlag);
    }

    /** A trial on a closed input or a closed device is the caller's mistake: an exception, not a refusal. */
    private void checkTrialInput(boolean inputOpen, String operation, String input) {
        if (!inputOpen) {
            throw new IllegalArgumentException(operation + " on " + fd.path() + ": " + input + " is closed; "
                    + "try an open buffer");
        }
        if (!fd.isOpen()) {
            throw new IllegalStateException(operation + " on " + fd.path() + ": the device was closed");
        }
    }

    /**
     * Adds a framebuffer for a frame's planes ({@code DRM_IOCTL_MODE_ADDFB2}): each plane's dma-buf is imported
     * (see {@link #importDmaBuf}), its pitch and offset passed, and the frame's modifier for every plane with
     * {@code DRM_MODE_FB_MODIFIERS} when the device has {@code DRM_CAP_ADDFB2_MODIFIERS}. When the driver refuses a
     * {@link io.zeroframe.dmabuf.Modifier#LINEAR} frame with modifiers (EINVAL) it is added again without them. The
     * imported handles are closed again once the framebuffer holds its own references.
     *
     * @param frame borrowed; the framebuffer keeps the memory alive after the frame is closed
     * @throws KernelException ENODEV when the driver refuses to import a plane's buffer, EINVAL for a format,
     *         pitch or modifier the driver refuses, ENOSPC when the buffers are too small
     */
    public Framebuffer addFramebuffer(Frame frame) throws KernelException {
        return Framebuffer.add(this, frame);
    }

    /**
     * Adds a framebuffer showing a dumb buffer as {@code format} ({@code DRM_IOCTL_MODE_ADDFB2}, one plane at
     * offset 0 with the buffer's pitch).
     *
     * @param buffer borrowed; the framebuffer holds its own reference to the memory
     */
    public Framebuffer addFramebuffer(DumbBuffer buffer, PixelFormat format) throws KernelException {
        return Framebuffer.add(this, buffer, format);
    }

    /**
     * A new sync object ({@code DRM_IOCTL_SYNCOBJ_CREATE}), signalled or empty; see {@link SyncObj}. Needs no master.
     *
     * @throws KernelException EOPNOTSUPP from a driver without sync objects ({@code DRM_CAP_SYNCOBJ} 0: vkms, vgem)
     */
    public SyncObj createSyncObj(boolean signalled) throws KernelException {
        return SyncObj.create(this, signalled);
    }

    /** A new, empty atomic request on this device (see {@link AtomicRequest}). */
    public AtomicRequest newAtomicRequest() {
        return new AtomicRequest(this);
    }

    /** This device's event queue (page-flip and vblank events), made on first use. */
    public DrmEvents events() throws KernelException {
        DrmEvents queue = events;
        if (queue == null) {
            synchronized (this) {
                if (events == null) {
                    fd.wakeFd(); // made before any wait, so that waits allocate nothing
                    events = new DrmEvents(this);
                }
                queue = events;
            }
        }
        return queue;
    }

    /**
     * Asks for one vblank event on {@code crtc}: at its next vertical blank the kernel queues a
     * {@link DrmEvent.Kind#VBLANK} event carrying {@code userData}, the vblank's sequence number, timestamp and the
     * CRTC's id, read with {@link #events()}. Uses {@code DRM_IOCTL_WAIT_VBLANK} with
     * {@code _DRM_VBLANK_RELATIVE | _DRM_VBLANK_EVENT} and sequence 1, the CRTC chosen by its index in
     * {@link #resources()} ({@code _DRM_VBLANK_SECONDARY} for index 1, {@code index << _DRM_VBLANK_HIGH_CRTC_SHIFT}
     * above). Does not wait. One request gives one event; ask again from the event for a stream (each event then
     * is the vblank after the one the request was made in, so a late request skips sequence numbers).
     *
     * <p>Allocates nothing after the first call (which reads the CRTC ids once): the request is built in the
     * thread's scratch, so any number of threads may call at once. Needs no master.
     *
     * @param crtc a CRTC of this device
     * @param userData returned in the event's {@link DrmEvent#userData()}
     * @throws IllegalArgumentException if {@code crtc} is not one of this device's CRTCs
     * @throws KernelException EINVAL when the CRTC is off (its vblank interrupt is off: the CRTC must be active),
     *         EOPNOTSUPP from drivers without vblank interrupts (virtio-gpu has none), ENOMEM while 128 events
     *         (4 KiB) wait unread: read them with {@link #events()}
     */
    public void requestVblankEvent(CrtcId crtc, long userData) throws KernelException {
        Objects.requireNonNull(crtc, "crtc");
        int index = crtcIndex(crtc);
        int type = drm_h._DRM_VBLANK_RELATIVE() | drm_h._DRM_VBLANK_EVENT();
        if (index == 1) {
            type |= drm_h._DRM_VBLANK_SECONDARY();
        } else if (index > 1) {
            type |= index << drm_h._DRM_VBLANK_HIGH_CRTC_SHIFT();
        }
        // drm_wait_vblank is a union whose request member is at offset 0: written in place (no slice)
        MemorySegment request = ThreadScratch.get();
        drm_wait_vblank_request.type(request, type);
        drm_wait_vblank_request.sequence(request, 1);
        drm_wait_vblank_request.signal(request, userData);
        int result = Syscalls.tryIoctl(fd, DRM_IOCTL_WAIT_VBLANK, request);
        if (result < 0) {
            throw vblankFailure(DRM_IOCTL_WAIT_VBLANK, crtc, -result);
        }
    }

    /**
     * Asks for one CRTC-sequence event {@code frames} vblanks from now on {@code crtc}
     * ({@code DRM_IOCTL_CRTC_QUEUE_SEQUENCE} with {@code DRM_CRTC_SEQUENCE_RELATIVE}): the kernel queues a
     * {@link DrmEvent.Kind#CRTC_SEQUENCE} event ({@code DRM_EVENT_CRTC_SEQUENCE}: 64-bit sequence, nanosecond
     * timestamp, {@code userData}, no CRTC id) when the CRTC's vblank counter reaches the returned sequence. The
     * CRTC is named by id (no index encoding). Does not wait; allocates nothing; thread-safe (the request is built in
     * the thread's scratch, like {@link #requestVblankEvent}'s). Needs no master.
     *
     * @param frames how many vblanks ahead, at least 1
     * @return the vblank sequence number the event will carry
     * @throws KernelException as {@link #requestVblankEvent} (EINVAL: the CRTC must be active; EOPNOTSUPP: no vblank
     *         interrupts), ENOENT for an id that is not a CRTC
     */
    public long queueSequenceEvent(CrtcId crtc, long frames, long userData) throws KernelException {
        if (frames < 1) {
            throw new IllegalArgumentException(DRM_IOCTL_CRTC_QUEUE_SEQUENCE.name()
                    + ": frames must be at least 1, not " + frames);
        }
        return queueSequence(crtc, frames, drm_h.DRM_CRTC_SEQUENCE_RELATIVE(), userData);
    }

    /**
     * Asks for one CRTC-sequence event when {@code crtc}'s vblank counter reaches {@code sequence}, an absolute
     * count as {@link #crtcSequence} reads it ({@code DRM_IOCTL_CRTC_QUEUE_SEQUENCE} without
     * {@code DRM_CRTC_SEQUENCE_RELATIVE}): the way to schedule a frame for a vblank chosen ahead, without the drift
     * of chained relative requests. A {@code sequence} already passed is handled as {@code ifPassed} says. Does not
     * wait; allocates nothing; thread-safe. Needs no master.
     *
     * @param ifPassed {@link SequenceMiss#SEND_NOW}: the kernel sends the event at once, carrying the current count;
     *                 {@link SequenceMiss#NEXT_VBLANK}: it moves the request to the next vblank
     *                 ({@code DRM_CRTC_SEQUENCE_NEXT_ON_MISS})
     * @return the sequence the event will carry: {@code sequence}, or what the miss policy made of it
     * @throws KernelException as {@link #queueSequenceEvent}
     */
    public long queueSequenceEventAt(CrtcId crtc, long sequence, SequenceMiss ifPassed, long userData)
            throws KernelException {
        Objects.requireNonNull(ifPassed, "ifPassed");
        return queueSequence(crtc, sequence,
                ifPassed == SequenceMiss.NEXT_VBLANK ? drm_h.DRM_CRTC_SEQUENCE_NEXT_ON_MISS() : 0, userData);
    }

    private long queueSequence(CrtcId crtc, long sequence, int flags, long userData) throws KernelException {
        Objects.requireNonNull(crtc, "crtc");
        MemorySegment request = ThreadScratch.get();
        drm_crtc_queue_sequence.crtc_id(request, crtc.value());
        drm_crtc_queue_sequence.flags(request, flags);
        drm_crtc_queue_sequence.sequence(request, sequence);
        drm_crtc_queue_sequence.user_data(request, userData);
        int result = Syscalls.tryIoctl(fd, DRM_IOCTL_CRTC_QUEUE_SEQUENCE, request);
        if (result < 0) {
            throw vblankFailure(DRM_IOCTL_CRTC_QUEUE_SEQUENCE, crtc, -result);
        }
        return drm_crtc_queue_sequence.sequence(request);
    }

    /**
     * {@code crtc}'s vblank counter now ({@code DRM_IOCTL_CRTC_GET_SEQUENCE}): the count of vblanks so far and the
     * time of the last one, the base for {@link #queueSequenceEventAt} and for measuring the refresh period. Needs no
     * master.
     *
     * @throws KernelException EINVAL when the CRTC is off (its vblank counter does not run), EOPNOTSUPP from drivers
     *         without vblank interrupts (virtio-gpu), ENOENT for an id that is not a CRTC
     */
    public CrtcSequence crtcSequence(CrtcId crtc) throws KernelException {
        Objects.requireNonNull(crtc, "crtc");
        MemorySegment request = ThreadScratch.get();
        drm_crtc_get_sequence.crtc_id(request, crtc.value());
        int result = Syscalls.tryIoctl(fd, DRM_IOCTL_CRTC_GET_SEQUENCE, request);
        if (result < 0) {
            throw vblankFailure(DRM_IOCTL_CRTC_GET_SEQUENCE, crtc, -result);
        }
        return new CrtcSequence(drm_crtc_get_sequence.active(request) != 0,
                drm_crtc_get_sequence.sequence(request), drm_crtc_get_sequence.sequence_ns(request));
    }

    private KernelException vblankFailure(IoctlRequest request, CrtcId crtc, int errno) throws KernelException {
        String detail = "vblank event on CRTC " + Integer.toUnsignedString(crtc.value());
        if (errno == Errno.EOPNOTSUPP) {
            detail += ": the driver " + version.name() + " has no vblank interrupts (virtio-gpu has none); pace "
                    + "with page-flip events (CommitFlag.PAGE_FLIP_EVENT) instead";
        } else if (errno == Errno.EINVAL) {
            detail += ": the CRTC must be active (ACTIVE=1 with a mode set) for its vblank interrupt to run; "
                    + "light it up with an atomic modeset first";
        } else if (errno == Errno.ENOMEM) {
            detail += ": " + EVENTS_UNREAD;
        }
        return failure(request.name(), errno, detail);
    }

    private int crtcIndex(CrtcId crtc) throws KernelException {
        int[] ids = crtcIds;
        if (ids == null) {
            List<CrtcId> list = resources().crtcs();
            ids = new int[list.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = list.get(i).value();
            }
            crtcIds = ids;
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == crtc.value()) {
                return i;
            }
        }
        throw new IllegalArgumentException(crtc + " is not a CRTC of " + fd.path());
    }

    /**
     * Closes the device: the kernel releases every handle, framebuffer, blob and mode the file made, and drops
     * master. Idempotent; callable from any thread (a thread waiting for events is woken).
     */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "DrmDevice[" + fd.path() + " " + version.name() + (fd.isOpen() ? "" : ", closed") + "]";
    }

    // ---- the package's ioctl entry point

    /** The device's fd, borrowed by package classes (maps, polls, reads). */
    OwnedFd fd() {
        return fd;
    }

    GemHandles handles() {
        return handles;
    }

    /**
     * The package's ioctl entry point: {@code request} on the device, ENODEV turned into {@link DeviceGoneException}
     * and, for calls that need master, EACCES into a "not master" {@link DevicePermissionException}.
     */
    int ioctl(IoctlRequest request, MemorySegment arg) throws KernelException {
        return check(request, Syscalls.tryIoctl(fd, request, arg), null);
    }

    /** {@link #ioctl} with a sentence of detail on failure. */
    int ioctl(IoctlRequest request, MemorySegment arg, String detail) throws KernelException {
        return check(request, Syscalls.tryIoctl(fd, request, arg), detail);
    }

    /** The ioctl's result, or {@code -errno} (ENODEV, EBADF, EACCES not classified): for callers that classify. */
    int tryIoctl(IoctlRequest request, MemorySegment arg) {
        return Syscalls.tryIoctl(fd, request, arg);
    }

    /** Returns {@code result} if not negative, else throws the right exception for {@code -result}. */
    int check(IoctlRequest request, int result, String detail) throws KernelException {
        if (result >= 0) {
            return result;
        }
        throw failure(request.name(), -result, detail);
    }

    /** The exception for {@code operation} failing with {@code errno} on this device. */
    KernelException failure(String operation, int errno, String detail) throws KernelException {
        return ERRORS.failure(fd, operation, errno, detail, needsMaster(operation) ? NOT_MASTER : null);
    }

    private static boolean needsMaster(String operation) {
        return switch (operation) {
            case "DRM_IOCTL_MODE_ATOMIC", "DRM_IOCTL_MODE_SETCRTC", "DRM_IOCTL_MODE_PAGE_FLIP",
                 "DRM_IOCTL_MODE_SETPLANE", "DRM_IOCTL_MODE_OBJ_SETPROPERTY", "DRM_IOCTL_DROP_MASTER" -> true;
            default -> false;
        };
    }

}
