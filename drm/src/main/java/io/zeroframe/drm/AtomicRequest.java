package io.zeroframe.drm;

import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_ATOMIC;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_CREATEPROPBLOB;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_DESTROYPROPBLOB;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.drm_mode.drm_mode_atomic;
import io.zeroframe.bindings.drm_mode.drm_mode_create_blob;
import io.zeroframe.bindings.drm_mode.drm_mode_destroy_blob;
import io.zeroframe.dmabuf.SyncFile;
import io.zeroframe.dmabuf.internal.DmaBufAccess;
import io.zeroframe.dmabuf.negotiation.TrialResult;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An atomic mode-setting request ({@code DRM_IOCTL_MODE_ATOMIC}): properties set by name on KMS objects, then
 * tested or committed as one.
 *
 * <p>Every {@link #set} is checked against the object's property: it must exist, be mutable, and accept the value
 * (its range, signed range, enum values or bitmask bits); a failure is an {@link IllegalArgumentException} naming
 * the object, the property and the value. Setting a property again replaces its value.
 *
 * <p>Special properties: {@link #set(CrtcId, String, Mode)} turns a mode into a {@code MODE_ID} blob that lives
 * until the property is set again or the request closes; {@link #setInFence} passes a sync_file as a plane's
 * {@code IN_FENCE_FD} (held in use during each commit); {@link #requestOutFence} points a CRTC's
 * {@code OUT_FENCE_PTR} at the request's memory, and {@link #takeOutFence} hands the sync_file a commit returned.
 * Those three are the only way to set a pointer or fd property: {@link #set(ObjectId, String, long)} refuses them, so
 * no caller hands the kernel a raw address to write to or an fd nobody holds.
 *
 * <p>Hot path: once its objects and properties are set, changing a value ({@code set(plane, "FB_ID", next)}) and
 * committing again allocate nothing of their own: the arrays the kernel reads are reused, the flags are read from
 * the set without iterating (FlipAllocationDeviceTest: a flip and its event allocate exactly what their bare
 * system calls do, which is nothing once C2 inlines the downcalls). A failing commit throws a {@link KernelException} naming the commit ("3 objects, 14
 * properties, flags [...]"), a {@link io.zeroframe.bindings.DevicePermissionException} when this file is not DRM
 * master.
 *
 * {@snippet :
 * try (AtomicRequest req = card.newAtomicRequest()) {
 *     req.set(crtc, "MODE_ID", mode);
 *     req.set(crtc, "ACTIVE", 1);
 *     req.set(connector, "CRTC_ID", crtc);
 *     req.set(plane, "FB_ID", fb.id());
 *     req.set(plane, "CRTC_ID", crtc);
 *     // SRC_* (16.16 fixed point) and CRTC_* ...
 *     req.commit(EnumSet.of(CommitFlag.ALLOW_MODESET), 0);
 *     req.set(plane, "FB_ID", next.id());
 *     req.commit(EnumSet.of(CommitFlag.NONBLOCK, CommitFlag.PAGE_FLIP_EVENT), 42);
 * }
 * }
 *
 * <p>Not thread-safe, except {@link #close()}, which may run from any thread at any time: it waits for a commit in
 * progress to return (a blocking commit returns after its vblank, or after its in-fence), so the kernel never reads
 * freed memory; later commits throw {@link io.zeroframe.bindings.FdClosedException}.
 */
public final class AtomicRequest implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicRequest.class);
    private static final Set<CommitFlag> TEST_MODESET =
            java.util.Collections.unmodifiableSet(EnumSet.of(CommitFlag.TEST_ONLY, CommitFlag.ALLOW_MODESET));
    private final DrmDevice device;
    private final Arena arena = Arena.ofShared();
    private final List<BlobId> blobs = new ArrayList<>();

    private int objectCount;
    private ObjectId[] objects = new ObjectId[4];
    private ObjectProperties[] tables = new ObjectProperties[4];

    private int entryCount;
    private int[] entryObject = new int[16];
    private int[] entryProperty = new int[16];
    private long[] entryValue = new long[16];
    private OwnedFd[] entryFence = new OwnedFd[16];
    /** The in-fences a commit has begun to use, in the order begun (commit-time scratch). */
    private OwnedFd[] begunFences = new OwnedFd[16];
    /** The blob this request made for an entry's value ({@code MODE_ID}), destroyed when the value is replaced. */
    private BlobId[] entryBlob = new BlobId[16];
    private boolean[] entryOutFence = new boolean[16];
    private SyncFile[] outFences = new SyncFile[16];
    private String[] outFencePaths = new String[16];

    private MemorySegment objectArray;
    private MemorySegment countArray;
    private MemorySegment propertyArray;
    private MemorySegment valueArray;
    private MemorySegment outFenceSlots;
    private final MemorySegment atomic;
    private boolean closed;

    AtomicRequest(DrmDevice device) {
        this.device = device;
        this.atomic = drm_mode_atomic.allocate(arena);
        grow(16, 4);
    }

    /**
     * Sets {@code object}'s property {@code name} to {@code value}.
     *
     * @throws IllegalArgumentException if the object has no such property, it is immutable, or it does not accept
     *         the value (the message names all three and what the property accepts); for the properties that take
     *         a pointer or an fd ({@code OUT_FENCE_PTR}, {@code WRITEBACK_OUT_FENCE_PTR}, {@code IN_FENCE_FD}),
     *         which only {@link #requestOutFence}, {@link #requestWritebackFence} and {@link #setInFence} set
     * @throws KernelException reading the object's properties the first time it is used (ENOENT: no such object)
     */
    public AtomicRequest set(ObjectId object, String name, long value) throws KernelException {
        String typed = typedCall(name);
        if (typed != null) {
            throw new IllegalArgumentException("atomic request on " + device.path() + ": property \"" + name
                    + "\" of " + object + " takes " + (name.equals("IN_FENCE_FD") ? "an fd" : "a pointer")
                    + " the kernel would use as given, so it is not set as a number; use " + typed);
        }
        int entry = entry(object, name, value);
        replaceValue(entry, value);
        entryFence[entry] = null;
        entryOutFence[entry] = false;
        return this;
    }

    /** The typed call for a property whose value is a pointer or an fd, or null for a plain value. */
    private static String typedCall(String name) {
        return switch (name) {
            case "IN_FENCE_FD" -> "setInFence(plane, syncFile)";
            case "OUT_FENCE_PTR" -> "requestOutFence(crtc) and takeOutFence(crtc)";
            case "WRITEBACK_OUT_FENCE_PTR" -> "requestWritebackFence(connector) and takeOutFence(connector)";
            default -> null;
        };
    }

    /** Sets an object property (e.g. {@code CRTC_ID}, {@code FB_ID}) to {@code value}'s id. */
    public AtomicRequest set(ObjectId object, String name, ObjectId value) throws KernelException {
        return set(object, name, value == null ? 0 : Integer.toUnsignedLong(value.value()));
    }

    /** Sets a boolean-like range property ({@code ACTIVE}) to 1 or 0. */
    public AtomicRequest set(ObjectId object, String name, boolean value) throws KernelException {
        return set(object, name, value ? 1 : 0);
    }

    /**
     * Sets a blob property ({@code MODE_ID}) to a new blob holding {@code mode} ({@code DRM_IOCTL_MODE_CREATEPROPBLOB});
     * the blob is destroyed when the property is set again, or when this request closes (the kernel keeps what a
     * commit still uses).
     */
    public AtomicRequest set(CrtcId crtc, String name, Mode mode) throws KernelException {
        Objects.requireNonNull(mode, "mode");
        int entry = entry(crtc, name, 0); // checks the property before making a blob
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment info = scratch.allocate(Mode.SIZE, 8);
            mode.write(info);
            BlobId blob = createBlob(info);
            replaceValue(entry, Integer.toUnsignedLong(blob.value()));
            entryBlob[entry] = blob;
            entryFence[entry] = null;
            entryOutFence[entry] = false;
            return this;
        }
    }

    /**
     * Sets an entry's value; a blob this request made for the entry's previous value is destroyed
     * ({@code DRM_IOCTL_MODE_DESTROYPROPBLOB}: a commit that used it keeps its own reference), so that setting
     * {@code MODE_ID} again and again does not pile up blobs.
     */
    private void replaceValue(int entry, long value) {
        BlobId previous = entryBlob[entry];
        entryValue[entry] = value;
        if (previous != null) {
            entryBlob[entry] = null;
            destroyBlob(previous);
        }
    }

    /**
     * Sets a plane's {@code IN_FENCE_FD}: the commit waits for {@code fence} before the plane shows its new
     * framebuffer. The fence is borrowed and must stay open until the commit returns; its fd is held in use during
     * the call.
     */
    public AtomicRequest setInFence(PlaneId plane, SyncFile fence) throws KernelException {
        int entry = entry(plane, "IN_FENCE_FD", -1);
        replaceValue(entry, -1);
        entryFence[entry] = DmaBufAccess.ownedFd(fence);
        entryOutFence[entry] = false;
        return this;
    }

    /**
     * Sets a plane's {@code IN_FENCE_FD} to -1, no fence: the next commit does not wait, and no longer uses a
     * fence {@link #setInFence} gave earlier (which the caller may then close). For a request reused frame after
     * frame, where only some frames come with a fence.
     */
    public AtomicRequest clearInFence(PlaneId plane) throws KernelException {
        int entry = entry(plane, "IN_FENCE_FD", -1);
        replaceValue(entry, -1);
        entryFence[entry] = null;
        entryOutFence[entry] = false;
        return this;
    }

    /**
     * Asks for an out-fence on {@code crtc} ({@code OUT_FENCE_PTR}): each commit that is not test-only returns a
     * sync_file that signals when the commit's frame is on the screen. Take it with {@link #takeOutFence}.
     */
    public AtomicRequest requestOutFence(CrtcId crtc) throws KernelException {
        return requestFence(crtc, "OUT_FENCE_PTR");
    }

    /**
     * Asks for a writeback connector's out-fence ({@code WRITEBACK_OUT_FENCE_PTR}): it signals when the frame
     * attached as {@code WRITEBACK_FB_ID} has been written. Take it with {@link #takeOutFence}.
     */
    public AtomicRequest requestWritebackFence(ConnectorId writeback) throws KernelException {
        return requestFence(writeback, "WRITEBACK_OUT_FENCE_PTR");
    }

    private AtomicRequest requestFence(ObjectId object, String name) throws KernelException {
        int entry = entry(object, name, 0);
        replaceValue(entry, outFenceSlots.address() + 4L * entry);
        entryFence[entry] = null;
        entryOutFence[entry] = true;
        outFencePaths[entry] = "sync_file (" + name + " of " + object + " on " + device.path() + ")";
        return this;
    }

    /**
     * The out-fence the last commit returned for {@code object} (a CRTC's or a writeback connector's); the caller
     * owns it. Empty if none was requested, the last commit was test-only or failed, or it was taken already.
     */
    public Optional<SyncFile> takeOutFence(ObjectId object) {
        int index = indexOf(object);
        for (int i = 0; i < entryCount; i++) {
            if (entryObject[i] == index && entryOutFence[i] && outFences[i] != null) {
                SyncFile fence = outFences[i];
                outFences[i] = null;
                return Optional.of(fence);
            }
        }
        return Optional.empty();
    }

    /** Removes every property set so far (blobs made for it stay until {@link #close()}). */
    public void clear() {
        closeOutFences();
        Arrays.fill(entryFence, null);
        for (int i = 0; i < entryCount; i++) {
            if (entryBlob[i] != null) {
                blobs.add(entryBlob[i]);
                entryBlob[i] = null;
            }
        }
        entryCount = 0;
        objectCount = 0;
    }

    /** Tests the request ({@code DRM_MODE_ATOMIC_TEST_ONLY}, with {@code ALLOW_MODESET} if asked). */
    public void test(boolean allowModeset) throws KernelException {
        commit(allowModeset ? EnumSet.of(CommitFlag.TEST_ONLY, CommitFlag.ALLOW_MODESET)
                : EnumSet.of(CommitFlag.TEST_ONLY), 0);
    }

    /**
     * Tests the request as a trial: {@code DRM_IOCTL_MODE_ATOMIC} with {@code DRM_MODE_ATOMIC_TEST_ONLY |
     * DRM_MODE_ATOMIC_ALLOW_MODESET}. The kernel checks the whole configuration (the objects set here and the
     * current state of the rest) and changes nothing: the display keeps what it shows. A modeset is allowed so that
     * a configuration is judged whether or not it needs one. A refusal is a value naming the call and errno:
     * {@link TrialResult.Outcome#FIXABLE_BY_REALLOCATION fixable} (EINVAL, ERANGE, ENOSPC: this configuration is
     * refused, another buffer may pass), or {@link TrialResult.Outcome#NOT_FIXABLE not fixable} when the file is not
     * DRM master (EACCES, with the advice) or the device is gone (ENODEV). A caller that knows more about the
     * configuration (a plane endpoint: whether the frame's size can be shown at all) may classify it further.
     *
     * @throws IllegalStateException if this request or its device is closed (not a refusal)
     */
    public TrialResult test() {
        try {
            commit(TEST_MODESET, 0);
            return TrialResult.ACCEPTED;
        } catch (io.zeroframe.bindings.FdClosedException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (io.zeroframe.bindings.DevicePermissionException | io.zeroframe.bindings.DeviceGoneException e) {
            return TrialResult.refused(e, TrialResult.Outcome.NOT_FIXABLE, e.getMessage());
        } catch (KernelException e) {
            return TrialResult.refused(e, TrialResult.Outcome.FIXABLE_BY_REALLOCATION,
                    "the driver refuses this configuration (" + objectCount + " objects, " + entryCount
                            + " properties)");
        }
    }

    /**
     * Commits the request ({@code DRM_IOCTL_MODE_ATOMIC}).
     *
     * @param flags    e.g. {@code ALLOW_MODESET} for a modeset, {@code NONBLOCK} and {@code PAGE_FLIP_EVENT}
     *                 for a flip; {@code TEST_ONLY} to only check
     * @param userData returned in the flip-complete event
     * @throws KernelException EINVAL (a configuration the driver refuses; {@code TEST_ONLY} with
     *         {@code PAGE_FLIP_EVENT}; a bad {@code IN_FENCE_FD}), ENOSPC (a framebuffer smaller than the source
     *         rectangle), ENOENT (an object that is gone), EBUSY (a non-blocking commit while one is pending),
     *         {@link io.zeroframe.bindings.DevicePermissionException} (not master)
     * @throws io.zeroframe.bindings.FdClosedException if the request, the device or an in-fence was closed
     */
    public void commit(Set<CommitFlag> flags, long userData) throws KernelException {
        synchronized (this) { // close() waits for the kernel to be done with the request's memory
            commitLocked(flags, userData);
        }
    }

    private void commitLocked(Set<CommitFlag> flags, long userData) throws KernelException {
        if (closed) {
            throw new io.zeroframe.bindings.FdClosedException(DRM_IOCTL_MODE_ATOMIC.name(), device.path(),
                    "the atomic request was closed");
        }
        int bits = CommitFlag.bits(flags);
        closeOutFences();
        int begun = 0; // begunFences[0, begun) are in use: exactly those are ended
        try {
            int at = 0;
            for (int object = 0; object < objectCount; object++) {
                int count = 0;
                for (int i = 0; i < entryCount; i++) {
                    if (entryObject[i] != object) {
                        continue;
                    }
                    long value = entryValue[i];
                    if (entryFence[i] != null) {
                        value = entryFence[i].beginUse(DRM_IOCTL_MODE_ATOMIC.name());
                        begunFences[begun++] = entryFence[i];
                    }
                    if (entryOutFence[i]) {
                        outFenceSlots.setAtIndex(JAVA_INT, i, -1);
                    }
                    propertyArray.setAtIndex(JAVA_INT, at, entryProperty[i]);
                    valueArray.setAtIndex(JAVA_LONG, at, value);
                    at++;
                    count++;
                }
                objectArray.setAtIndex(JAVA_INT, object, objects[object].value());
                countArray.setAtIndex(JAVA_INT, object, count);
            }
            drm_mode_atomic.flags(atomic, bits);
            drm_mode_atomic.count_objs(atomic, objectCount);
            drm_mode_atomic.objs_ptr(atomic, objectArray.address());
            drm_mode_atomic.count_props_ptr(atomic, countArray.address());
            drm_mode_atomic.props_ptr(atomic, propertyArray.address());
            drm_mode_atomic.prop_values_ptr(atomic, valueArray.address());
            drm_mode_atomic.user_data(atomic, userData);
            int result = device.tryIoctl(DRM_IOCTL_MODE_ATOMIC, atomic);
            if (result < 0) {
                throw device.failure(DRM_IOCTL_MODE_ATOMIC.name(), -result, describe(flags, at, -result));
            }
        } finally {
            while (begun > 0) {
                OwnedFd fence = begunFences[--begun];
                begunFences[begun] = null;
                fence.endUse();
            }
        }
        if ((bits & CommitFlag.TEST_ONLY.bit()) == 0) {
            collectOutFences();
        }
    }

    /** How many objects and properties the request holds. */
    public int propertyCount() {
        return entryCount;
    }

    /**
     * Closes unclaimed out-fences, destroys the request's blobs and frees its memory; idempotent. Waits for a commit
     * in progress on another thread to return.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeOutFences();
        for (int i = 0; i < entryCount; i++) {
            if (entryBlob[i] != null) {
                destroyBlob(entryBlob[i]);
                entryBlob[i] = null;
            }
        }
        for (BlobId blob : blobs) {
            destroyBlob(blob);
        }
        blobs.clear();
        arena.close();
    }

    // ---- internals

    private BlobId createBlob(MemorySegment data) throws KernelException {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment create = drm_mode_create_blob.allocate(scratch);
            drm_mode_create_blob.data(create, data.address());
            drm_mode_create_blob.length(create, (int) data.byteSize());
            device.ioctl(DRM_IOCTL_MODE_CREATEPROPBLOB, create, data.byteSize() + "-byte blob");
            return new BlobId(drm_mode_create_blob.blob_id(create));
        }
    }

    /** {@code DRM_IOCTL_MODE_DESTROYPROPBLOB}; nothing to do once the device is closed (the kernel freed it). */
    private void destroyBlob(BlobId blob) {
        if (!device.isOpen()) {
            return;
        }
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment destroy = drm_mode_destroy_blob.allocate(scratch);
            drm_mode_destroy_blob.blob_id(destroy, blob.value());
            int result = device.tryIoctl(DRM_IOCTL_MODE_DESTROYPROPBLOB, destroy);
            if (result < 0 && device.isOpen()) {
                LOG.warn("{}", KernelException.of(DRM_IOCTL_MODE_DESTROYPROPBLOB.name(), device.path(), -result,
                        blob.toString()).getMessage());
            }
        }
    }

    /** The entry for (object, name), added if new; checks the property and {@code value}. Allocates nothing once both exist. */
    private int entry(ObjectId object, String name, long value) throws KernelException {
        Objects.requireNonNull(object, "object");
        int index = indexOf(object);
        if (index < 0) {
            index = addObject(object);
        }
        PropertyValue current = tables[index].byName().get(name);
        if (current == null) {
            throw new IllegalArgumentException("atomic request on " + device.path() + ": " + object
                    + " has no property \"" + name + "\"; it has " + tables[index].byName().keySet());
        }
        Property property = current.property();
        if (property.isImmutable()) {
            throw new IllegalArgumentException("atomic request on " + device.path() + ": property \"" + name + "\" of "
                    + object + " is immutable (only the kernel sets it); cannot set it to " + value);
        }
        if (!property.accepts(value)) {
            throw new IllegalArgumentException("atomic request on " + device.path() + ": property \"" + name + "\" of "
                    + object + " does not accept " + value + " (0x" + Long.toHexString(value) + "): it takes "
                    + property.describeValues());
        }
        int propertyId = property.id().value();
        for (int i = 0; i < entryCount; i++) {
            if (entryObject[i] == index && entryProperty[i] == propertyId) {
                return i;
            }
        }
        if (entryCount == entryObject.length) {
            grow(entryCount * 2, objects.length);
        }
        int entry = entryCount++;
        entryObject[entry] = index;
        entryProperty[entry] = propertyId;
        entryValue[entry] = value;
        entryFence[entry] = null;
        entryOutFence[entry] = false;
        entryBlob[entry] = null;
        return entry;
    }

    private int indexOf(ObjectId object) {
        for (int i = 0; i < objectCount; i++) {
            if (objects[i].value() == object.value() && objects[i].type() == object.type()) {
                return i;
            }
        }
        return -1;
    }

    private int addObject(ObjectId object) throws KernelException {
        ObjectProperties properties = device.properties(object);
        if (objectCount == objects.length) {
            grow(entryObject.length, objectCount * 2);
        }
        objects[objectCount] = object;
        tables[objectCount] = properties;
        return objectCount++;
    }

    private void grow(int entries, int objectCapacity) {
        if (entries > entryObject.length || objectArray == null) {
            entryObject = Arrays.copyOf(entryObject, entries);
            entryProperty = Arrays.copyOf(entryProperty, entries);
            entryValue = Arrays.copyOf(entryValue, entries);
            entryFence = Arrays.copyOf(entryFence, entries);
            begunFences = Arrays.copyOf(begunFences, entries);
            entryBlob = Arrays.copyOf(entryBlob, entries);
            entryOutFence = Arrays.copyOf(entryOutFence, entries);
            outFences = Arrays.copyOf(outFences, entries);
            outFencePaths = Arrays.copyOf(outFencePaths, entries);
            MemorySegment slots = arena.allocate(JAVA_INT, entries);
            if (outFenceSlots != null) {
                // out-fence pointers already set point into the old slots: move them
                for (int i = 0; i < entryCount; i++) {
                    if (entryOutFence[i]) {
                        entryValue[i] = slots.address() + 4L * i;
                    }
                }
            }
            outFenceSlots = slots;
            propertyArray = arena.allocate(JAVA_INT, entries);
            valueArray = arena.allocate(JAVA_LONG, entries);
        }
        if (objectCapacity > objects.length || objectArray == null) {
            objects = Arrays.copyOf(objects, objectCapacity);
            tables = Arrays.copyOf(tables, objectCapacity);
            objectArray = arena.allocate(JAVA_INT, objectCapacity);
            countArray = arena.allocate(JAVA_INT, objectCapacity);
        }
    }

    private void collectOutFences() throws KernelException {
        for (int i = 0; i < entryCount; i++) {
            if (entryOutFence[i]) {
                int fd = outFenceSlots.getAtIndex(JAVA_INT, i);
                if (fd >= 0) {
                    outFences[i] = DmaBufAccess.wrapSyncFile(OwnedFd.adopt(fd, outFencePaths[i]));
                }
            }
        }
    }

    private void closeOutFences() {
        for (int i = 0; i < outFences.length; i++) {
            if (outFences[i] != null) {
                outFences[i].close();
                outFences[i] = null;
            }
        }
    }

    private String describe(Set<CommitFlag> flags, int properties, int errno) {
        StringBuilder text = new StringBuilder().append(objectCount).append(" objects, ").append(properties)
                .append(" properties, flags ").append(flags);
        if (flags.contains(CommitFlag.TEST_ONLY) && flags.contains(CommitFlag.PAGE_FLIP_EVENT)) {
            text.append(" (the kernel refuses a page-flip event on a test-only commit)");
        }
        if (errno == Errno.ENOMEM && flags.contains(CommitFlag.PAGE_FLIP_EVENT)) {
            text.append(": ").append(DrmDevice.EVENTS_UNREAD);
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return "AtomicRequest[" + device.path() + ", " + objectCount + " objects, " + entryCount + " properties"
                + (closed ? ", closed" : "") + "]";
    }

    /** For tests: the value set for {@code object}'s property {@code name} (a blob's id for {@code MODE_ID}). */
    long value(ObjectId object, String name) {
        int index = indexOf(object);
        int property = index < 0 ? -1 : tables[index].get(name).orElseThrow().property().id().value();
        for (int i = 0; i < entryCount; i++) {
            if (entryObject[i] == index && entryProperty[i] == property) {
                return entryValue[i];
            }
        }
        throw new IllegalArgumentException(object + " has no value set for " + name);
    }

    /** For tests: the properties the request would send, object by object. */
    Map<ObjectId, Integer> objectPropertyCounts() {
        Map<ObjectId, Integer> counts = new java.util.LinkedHashMap<>();
        for (int i = 0; i < entryCount; i++) {
            counts.merge(objects[entryObject[i]], 1, Integer::sum);
        }
        return counts;
    }
}
