package io.zeroframe.drm;

import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_GETCONNECTOR;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_GETCRTC;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_GETENCODER;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_GETPLANE;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_GETPLANERESOURCES;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_GETPROPBLOB;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_GETPROPERTY;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_GETRESOURCES;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_OBJ_GETPROPERTIES;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.drm_mode.drm_mode_card_res;
import io.zeroframe.bindings.drm_mode.drm_mode_crtc;
import io.zeroframe.bindings.drm_mode.drm_mode_get_blob;
import io.zeroframe.bindings.drm_mode.drm_mode_get_connector;
import io.zeroframe.bindings.drm_mode.drm_mode_get_encoder;
import io.zeroframe.bindings.drm_mode.drm_mode_get_plane;
import io.zeroframe.bindings.drm_mode.drm_mode_get_plane_res;
import io.zeroframe.bindings.drm_mode.drm_mode_get_property;
import io.zeroframe.bindings.drm_mode.drm_mode_h;
import io.zeroframe.bindings.drm_mode.drm_mode_modeinfo;
import io.zeroframe.bindings.drm_mode.drm_mode_obj_get_properties;
import io.zeroframe.bindings.drm_mode.drm_mode_property_enum;
import io.zeroframe.dmabuf.Modifier;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * Reads KMS objects into snapshots. The count-then-fill ioctls (GETRESOURCES, GETPLANERESOURCES, GETCONNECTOR,
 * GETPLANE, OBJ_GETPROPERTIES, GETPROPERTY, GETPROPBLOB) are called with arrays sized from a first call and
 * retried when a count grew in between (hotplug), up to {@value #ATTEMPTS} times. Thread-safe.
 */
final class KmsReader {
    private static final int ATTEMPTS = 8;

    private final DrmDevice device;
    private final Map<Integer, Property> properties = new ConcurrentHashMap<>();

    KmsReader(DrmDevice device) {
        this.device = device;
    }

    Resources resources() throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment res = drm_mode_card_res.allocate(arena);
            for (int attempt = 0; ; attempt++) {
                res.fill((byte) 0);
                device.ioctl(DRM_IOCTL_MODE_GETRESOURCES, res);
                int fbs = drm_mode_card_res.count_fbs(res);
                int crtcs = drm_mode_card_res.count_crtcs(res);
                int connectors = drm_mode_card_res.count_connectors(res);
                int encoders = drm_mode_card_res.count_encoders(res);
                MemorySegment fbIds = ints(arena, fbs);
                MemorySegment crtcIds = ints(arena, crtcs);
                MemorySegment connectorIds = ints(arena, connectors);
                MemorySegment encoderIds = ints(arena, encoders);
                drm_mode_card_res.fb_id_ptr(res, fbIds.address());
                drm_mode_card_res.crtc_id_ptr(res, crtcIds.address());
                drm_mode_card_res.connector_id_ptr(res, connectorIds.address());
                drm_mode_card_res.encoder_id_ptr(res, encoderIds.address());
                device.ioctl(DRM_IOCTL_MODE_GETRESOURCES, res);
                if (drm_mode_card_res.count_fbs(res) > fbs || drm_mode_card_res.count_crtcs(res) > crtcs
                        || drm_mode_card_res.count_connectors(res) > connectors
                        || drm_mode_card_res.count_encoders(res) > encoders) {
                    retryOrFail(attempt, DRM_IOCTL_MODE_GETRESOURCES.name());
                    continue;
                }
                return new Resources(
                        ids(connectorIds, drm_mode_card_res.count_connectors(res), ConnectorId::new),
                        ids(crtcIds, drm_mode_card_res.count_crtcs(res), CrtcId::new),
                        ids(encoderIds, drm_mode_card_res.count_encoders(res), EncoderId::new),
                        ids(fbIds, drm_mode_card_res.count_fbs(res), FramebufferId::new),
                        planeIds(arena),
                        drm_mode_card_res.min_width(res), drm_mode_card_res.max_width(res),
                        drm_mode_card_res.min_height(res), drm_mode_card_res.max_height(res));
            }
        }
    }

    private List<PlaneId> planeIds(Arena arena) throws KernelException {
        MemorySegment res = drm_mode_get_plane_res.allocate(arena);
        for (int attempt = 0; ; attempt++) {
            res.fill((byte) 0);
            device.ioctl(DRM_IOCTL_MODE_GETPLANERESOURCES, res);
            int count = drm_mode_get_plane_res.count_planes(res);
            MemorySegment ids = ints(arena, count);
            drm_mode_get_plane_res.plane_id_ptr(res, ids.address());
            device.ioctl(DRM_IOCTL_MODE_GETPLANERESOURCES, res);
            if (drm_mode_get_plane_res.count_planes(res) > count) {
                retryOrFail(attempt, DRM_IOCTL_MODE_GETPLANERESOURCES.name());
                continue;
            }
            return ids(ids, drm_mode_get_plane_res.count_planes(res), PlaneId::new);
        }
    }

    /**
     * GETCONNECTOR twice (counts, then arrays). With {@code count_modes} 0 on the first call the kernel probes the
     * connector when the file is master (fill_modes: DDC/EDID reads on a real monitor); {@code probe} false passes
     * at least one mode slot on both calls instead, so the kernel only reports the modes it has
     * (libdrm's {@code drmModeGetConnectorCurrent}).
     */
    Connector connector(ConnectorId id, boolean probe) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = drm_mode_get_connector.allocate(arena);
            MemorySegment oneMode = arena.allocate(drm_mode_modeinfo.layout());
            for (int attempt = 0; ; attempt++) {
                c.fill((byte) 0);
                drm_mode_get_connector.connector_id(c, id.value());
                if (!probe) {
                    drm_mode_get_connector.count_modes(c, 1);
                    drm_mode_get_connector.modes_ptr(c, oneMode.address());
                }
                device.ioctl(DRM_IOCTL_MODE_GETCONNECTOR, c, id.toString());
                int modes = drm_mode_get_connector.count_modes(c);
                int encoders = drm_mode_get_connector.count_encoders(c);
                MemorySegment modeArray = arena.allocate(drm_mode_modeinfo.layout(), Math.max(modes, 1));
                MemorySegment encoderIds = ints(arena, encoders);
                if (!probe) {
                    drm_mode_get_connector.count_modes(c, Math.max(modes, 1));
                }
                drm_mode_get_connector.modes_ptr(c, modeArray.address());
                drm_mode_get_connector.encoders_ptr(c, encoderIds.address());
                drm_mode_get_connector.count_props(c, 0);
                device.ioctl(DRM_IOCTL_MODE_GETCONNECTOR, c, id.toString());
                if (drm_mode_get_connector.count_modes(c) > modes || drm_mode_get_connector.count_encoders(c) > encoders) {
                    retryOrFail(attempt, DRM_IOCTL_MODE_GETCONNECTOR.name());
                    continue;
                }
                List<Mode> modeList = new ArrayList<>();
                for (int i = 0; i < drm_mode_get_connector.count_modes(c); i++) {
                    modeList.add(Mode.read(drm_mode_modeinfo.asSlice(modeArray, i)));
                }
                ObjectProperties props = properties(id);
                Optional<BlobId> edid = props.value("EDID").stream().filter(v -> v != 0)
                        .mapToObj(v -> new BlobId((int) v)).findFirst();
                return new Connector(id, new ConnectorType(drm_mode_get_connector.connector_type(c)),
                        drm_mode_get_connector.connector_type_id(c),
                        ConnectionStatus.of(drm_mode_get_connector.connection(c)), modeList,
                        drm_mode_get_connector.mm_width(c), drm_mode_get_connector.mm_height(c),
                        optional(drm_mode_get_connector.encoder_id(c), EncoderId::new),
                        ids(encoderIds, drm_mode_get_connector.count_encoders(c), EncoderId::new), edid, props);
            }
        }
    }

    Encoder encoder(EncoderId id) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment e = drm_mode_get_encoder.allocate(arena);
            drm_mode_get_encoder.encoder_id(e, id.value());
            device.ioctl(DRM_IOCTL_MODE_GETENCODER, e, id.toString());
            return new Encoder(id, drm_mode_get_encoder.encoder_type(e),
                    optional(drm_mode_get_encoder.crtc_id(e), CrtcId::new),
                    crtcsOfMask(drm_mode_get_encoder.possible_crtcs(e)), drm_mode_get_encoder.possible_clones(e));
        }
    }

    Crtc crtc(CrtcId id) throws KernelException {
        List<CrtcId> all = resources().crtcs();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = drm_mode_crtc.allocate(arena);
            drm_mode_crtc.crtc_id(c, id.value());
            device.ioctl(DRM_IOCTL_MODE_GETCRTC, c, id.toString());
            Optional<Mode> mode = drm_mode_crtc.mode_valid(c) != 0
                    ? Optional.of(Mode.read(drm_mode_crtc.mode(c))) : Optional.empty();
            return new Crtc(id, all.indexOf(id), optional(drm_mode_crtc.fb_id(c), FramebufferId::new),
                    drm_mode_crtc.x(c), drm_mode_crtc.y(c), mode, drm_mode_crtc.gamma_size(c), properties(id));
        }
    }

    Plane plane(PlaneId id) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = drm_mode_get_plane.allocate(arena);
            for (int attempt = 0; ; attempt++) {
                p.fill((byte) 0);
                drm_mode_get_plane.plane_id(p, id.value());
                device.ioctl(DRM_IOCTL_MODE_GETPLANE, p, id.toString());
                int count = drm_mode_get_plane.count_format_types(p);
                MemorySegment formats = ints(arena, count);
                drm_mode_get_plane.format_type_ptr(p, formats.address());
                device.ioctl(DRM_IOCTL_MODE_GETPLANE, p, id.toString());
                if (drm_mode_get_plane.count_format_types(p) > count) {
                    retryOrFail(attempt, DRM_IOCTL_MODE_GETPLANE.name());
                    continue;
                }
                List<DrmFormat> formatList = new ArrayList<>();
                for (int i = 0; i < drm_mode_get_plane.count_format_types(p); i++) {
                    formatList.add(new DrmFormat(formats.getAtIndex(JAVA_INT, i)));
                }
                ObjectProperties props = properties(id);
                PlaneType type = PlaneType.of(props.value("type").orElse(0));
                Map<DrmFormat, List<Modifier>> modifiers = new LinkedHashMap<>();
                long inFormats = props.value("IN_FORMATS").orElse(0);
                boolean hasInFormats = props.get("IN_FORMATS").isPresent();
                if (inFormats != 0) {
                    modifiers.putAll(InFormatsBlob.parse(blob(new BlobId((int) inFormats))));
                } else {
                    for (DrmFormat format : formatList) {
                        modifiers.put(format, List.of(Modifier.LINEAR));
                    }
                }
                return new Plane(id, type, crtcsOfMask(drm_mode_get_plane.possible_crtcs(p)),
                        optional(drm_mode_get_plane.crtc_id(p), CrtcId::new),
                        optional(drm_mode_get_plane.fb_id(p), FramebufferId::new), formatList, modifiers,
                        hasInFormats, props);
            }
        }
    }

    List<Connector> connectors(boolean probe) throws KernelException {
        List<Connector> list = new ArrayList<>();
        for (ConnectorId id : resources().connectors()) {
            list.add(connector(id, probe));
        }
        return List.copyOf(list);
    }

    List<Crtc> crtcs() throws KernelException {
        List<Crtc> list = new ArrayList<>();
        for (CrtcId id : resources().crtcs()) {
            list.add(crtc(id));
        }
        return List.copyOf(list);
    }

    List<Encoder> encoders() throws KernelException {
        List<Encoder> list = new ArrayList<>();
        for (EncoderId id : resources().encoders()) {
            list.add(encoder(id));
        }
        return List.copyOf(list);
    }

    List<Plane> planes() throws KernelException {
        List<Plane> list = new ArrayList<>();
        for (PlaneId id : resources().planes()) {
            list.add(plane(id));
        }
        return List.copyOf(list);
    }

    ObjectProperties properties(ObjectId object) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment req = drm_mode_obj_get_properties.allocate(arena);
            for (int attempt = 0; ; attempt++) {
                req.fill((byte) 0);
                drm_mode_obj_get_properties.obj_id(req, object.value());
                drm_mode_obj_get_properties.obj_type(req, object.type().code());
                device.ioctl(DRM_IOCTL_MODE_OBJ_GETPROPERTIES, req, object.toString());
                int count = drm_mode_obj_get_properties.count_props(req);
                MemorySegment ids = ints(arena, count);
                MemorySegment values = arena.allocate(JAVA_LONG, Math.max(count, 1));
                drm_mode_obj_get_properties.props_ptr(req, ids.address());
                drm_mode_obj_get_properties.prop_values_ptr(req, values.address());
                device.ioctl(DRM_IOCTL_MODE_OBJ_GETPROPERTIES, req, object.toString());
                int filled = drm_mode_obj_get_properties.count_props(req);
                if (filled > count) {
                    retryOrFail(attempt, DRM_IOCTL_MODE_OBJ_GETPROPERTIES.name());
                    continue;
                }
                Map<String, PropertyValue> byName = new LinkedHashMap<>();
                for (int i = 0; i < filled; i++) {
                    Property property = property(new PropertyId(ids.getAtIndex(JAVA_INT, i)));
                    byName.put(property.name(), new PropertyValue(property, values.getAtIndex(JAVA_LONG, i)));
                }
                return new ObjectProperties(object, byName);
            }
        }
    }

    Property property(PropertyId id) throws KernelException {
        Property cached = properties.get(id.value());
        if (cached != null) {
            return cached;
        }
        Property read = readProperty(id);
        properties.put(id.value(), read);
        return read;
    }

    private Property readProperty(PropertyId id) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = drm_mode_get_property.allocate(arena);
            for (int attempt = 0; ; attempt++) {
                p.fill((byte) 0);
                drm_mode_get_property.prop_id(p, id.value());
                device.ioctl(DRM_IOCTL_MODE_GETPROPERTY, p, id.toString());
                int flags = drm_mode_get_property.flags(p);
                int values = drm_mode_get_property.count_values(p);
                int enums = drm_mode_get_property.count_enum_blobs(p);
                PropertyKind kind = kind(flags);
                boolean hasEnums = kind == PropertyKind.ENUM || kind == PropertyKind.BITMASK;
                MemorySegment valueArray = arena.allocate(JAVA_LONG, Math.max(values, 1));
                MemorySegment enumArray = arena.allocate(drm_mode_property_enum.layout(), Math.max(enums, 1));
                drm_mode_get_property.values_ptr(p, valueArray.address());
                if (hasEnums) {
                    drm_mode_get_property.enum_blob_ptr(p, enumArray.address());
                } else {
                    drm_mode_get_property.count_enum_blobs(p, 0); // blob properties no longer list their blobs
                }
                device.ioctl(DRM_IOCTL_MODE_GETPROPERTY, p, id.toString());
                if (drm_mode_get_property.count_values(p) > values
                        || (hasEnums && drm_mode_get_property.count_enum_blobs(p) > enums)) {
                    retryOrFail(attempt, DRM_IOCTL_MODE_GETPROPERTY.name());
                    continue;
                }
                String name = cString(drm_mode_get_property.name(p));
                List<Property.EnumValue> enumValues = new ArrayList<>();
                if (hasEnums) {
                    for (int i = 0; i < drm_mode_get_property.count_enum_blobs(p); i++) {
                        MemorySegment e = drm_mode_property_enum.asSlice(enumArray, i);
                        enumValues.add(new Property.EnumValue(cString(drm_mode_property_enum.name(e)),
                                drm_mode_property_enum.value(e)));
                    }
                }
                int filledValues = drm_mode_get_property.count_values(p);
                long min = 0;
                long max = 0;
                int objectType = 0;
                if ((kind == PropertyKind.RANGE || kind == PropertyKind.SIGNED_RANGE) && filledValues >= 2) {
                    min = valueArray.getAtIndex(JAVA_LONG, 0);
                    max = valueArray.getAtIndex(JAVA_LONG, 1);
                } else if (kind == PropertyKind.OBJECT && filledValues >= 1) {
                    objectType = (int) valueArray.getAtIndex(JAVA_LONG, 0);
                }
                EnumSet<PropertyFlag> propertyFlags = EnumSet.noneOf(PropertyFlag.class);
                if ((flags & drm_mode_h.DRM_MODE_PROP_IMMUTABLE()) != 0) {
                    propertyFlags.add(PropertyFlag.IMMUTABLE);
                }
                if ((flags & drm_mode_h.DRM_MODE_PROP_ATOMIC()) != 0) {
                    propertyFlags.add(PropertyFlag.ATOMIC);
                }
                if ((flags & drm_mode_h.DRM_MODE_PROP_PENDING()) != 0) {
                    propertyFlags.add(PropertyFlag.PENDING);
                }
                return new Property(id, name, kind, propertyFlags, min, max, objectType, enumValues);
            }
        }
    }

    /** The kind encoded in a property's flags: legacy type bits, or the extended type field. */
    static PropertyKind kind(int flags) {
        if ((flags & drm_mode_h.DRM_MODE_PROP_RANGE()) != 0) {
            return PropertyKind.RANGE;
        }
        if ((flags & drm_mode_h.DRM_MODE_PROP_ENUM()) != 0) {
            return PropertyKind.ENUM;
        }
        if ((flags & drm_mode_h.DRM_MODE_PROP_BLOB()) != 0) {
            return PropertyKind.BLOB;
        }
        if ((flags & drm_mode_h.DRM_MODE_PROP_BITMASK()) != 0) {
            return PropertyKind.BITMASK;
        }
        int extended = flags & drm_mode_h.DRM_MODE_PROP_EXTENDED_TYPE();
        if (extended == drm_mode_h.DRM_MODE_PROP_OBJECT()) {
            return PropertyKind.OBJECT;
        }
        if (extended == drm_mode_h.DRM_MODE_PROP_SIGNED_RANGE()) {
            return PropertyKind.SIGNED_RANGE;
        }
        throw new IllegalArgumentException("unknown property type in flags 0x" + Integer.toHexString(flags));
    }

    byte[] blob(BlobId id) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment b = drm_mode_get_blob.allocate(arena);
            for (int attempt = 0; ; attempt++) {
                b.fill((byte) 0);
                drm_mode_get_blob.blob_id(b, id.value());
                device.ioctl(DRM_IOCTL_MODE_GETPROPBLOB, b, id.toString());
                int length = drm_mode_get_blob.length(b);
                MemorySegment data = arena.allocate(Math.max(length, 1));
                drm_mode_get_blob.data(b, data.address());
                device.ioctl(DRM_IOCTL_MODE_GETPROPBLOB, b, id.toString());
                if (drm_mode_get_blob.length(b) != length) {
                    retryOrFail(attempt, DRM_IOCTL_MODE_GETPROPBLOB.name());
                    continue;
                }
                return data.asSlice(0, length).toArray(JAVA_BYTE);
            }
        }
    }

    private List<CrtcId> crtcsOfMask(int mask) throws KernelException {
        List<CrtcId> all = resources().crtcs();
        List<CrtcId> result = new ArrayList<>();
        for (int i = 0; i < all.size() && i < 32; i++) {
            if ((mask & (1 << i)) != 0) {
                result.add(all.get(i));
            }
        }
        return result;
    }

    private void retryOrFail(int attempt, String operation) throws KernelException {
        if (attempt + 1 >= ATTEMPTS) {
            throw KernelException.of(operation, device.path(), io.zeroframe.bindings.Errno.EAGAIN,
                    "the object counts kept changing between the count and the fill call (" + ATTEMPTS + " tries)");
        }
    }

    private static MemorySegment ints(Arena arena, int count) {
        return arena.allocate(JAVA_INT, Math.max(count, 1));
    }

    private static <T> List<T> ids(MemorySegment array, int count, IntFunction<T> make) {
        List<T> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(make.apply(array.getAtIndex(JAVA_INT, i)));
        }
        return List.copyOf(list);
    }

    private static <T> Optional<T> optional(int id, IntFunction<T> make) {
        return id == 0 ? Optional.empty() : Optional.of(make.apply(id));
    }

    static String cString(MemorySegment field) {
        int length = 0;
        while (length < field.byteSize() && field.get(JAVA_BYTE, length) != 0) {
            length++;
        }
        return new String(field.asSlice(0, length).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }
}
