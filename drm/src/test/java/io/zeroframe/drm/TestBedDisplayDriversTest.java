package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.drm.drm_h;
import io.zeroframe.bindings.drm.drm_set_client_cap;
import io.zeroframe.bindings.drm.drm_version;
import io.zeroframe.bindings.drm_fourcc.drm_fourcc_h;
import io.zeroframe.bindings.drm_mode.drm_mode_atomic;
import io.zeroframe.bindings.drm_mode.drm_mode_card_res;
import io.zeroframe.bindings.drm_mode.drm_mode_create_blob;
import io.zeroframe.bindings.drm_mode.drm_mode_create_dumb;
import io.zeroframe.bindings.drm_mode.drm_mode_fb_cmd2;
import io.zeroframe.bindings.drm_mode.drm_mode_get_connector;
import io.zeroframe.bindings.drm_mode.drm_mode_get_plane_res;
import io.zeroframe.bindings.drm_mode.drm_mode_get_property;
import io.zeroframe.bindings.drm_mode.drm_mode_h;
import io.zeroframe.bindings.drm_mode.drm_mode_modeinfo;
import io.zeroframe.bindings.drm_mode.drm_mode_obj_get_properties;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.NoLeaks;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Test bed self-check: vkms (built out of tree, loaded with enable_overlay, enable_cursor and enable_writeback) is
 * there with what the display tests rely on. Fails, never skips, when a driver is missing (tag "testbed": runs only in the
 * test bed).
 */
@Tag("testbed")
@ExtendWith(NoLeaks.class)
class TestBedDisplayDriversTest {
    private static final IoctlRequest DRM_IOCTL_VERSION = IoctlRequest.of("DRM_IOCTL_VERSION", drm_h.DRM_IOCTL_VERSION());
    private static final IoctlRequest DRM_IOCTL_SET_CLIENT_CAP =
            IoctlRequest.of("DRM_IOCTL_SET_CLIENT_CAP", drm_h.DRM_IOCTL_SET_CLIENT_CAP());
    private static final IoctlRequest DRM_IOCTL_MODE_GETRESOURCES =
            IoctlRequest.of("DRM_IOCTL_MODE_GETRESOURCES", drm_h.DRM_IOCTL_MODE_GETRESOURCES());
    private static final IoctlRequest DRM_IOCTL_MODE_GETCONNECTOR =
            IoctlRequest.of("DRM_IOCTL_MODE_GETCONNECTOR", drm_h.DRM_IOCTL_MODE_GETCONNECTOR());
    private static final IoctlRequest DRM_IOCTL_MODE_GETPLANERESOURCES =
            IoctlRequest.of("DRM_IOCTL_MODE_GETPLANERESOURCES", drm_h.DRM_IOCTL_MODE_GETPLANERESOURCES());
    private static final IoctlRequest DRM_IOCTL_MODE_OBJ_GETPROPERTIES =
            IoctlRequest.of("DRM_IOCTL_MODE_OBJ_GETPROPERTIES", drm_h.DRM_IOCTL_MODE_OBJ_GETPROPERTIES());
    private static final IoctlRequest DRM_IOCTL_MODE_GETPROPERTY =
            IoctlRequest.of("DRM_IOCTL_MODE_GETPROPERTY", drm_h.DRM_IOCTL_MODE_GETPROPERTY());
    private static final IoctlRequest DRM_IOCTL_MODE_CREATEPROPBLOB =
            IoctlRequest.of("DRM_IOCTL_MODE_CREATEPROPBLOB", drm_h.DRM_IOCTL_MODE_CREATEPROPBLOB());
    private static final IoctlRequest DRM_IOCTL_MODE_CREATE_DUMB =
            IoctlRequest.of("DRM_IOCTL_MODE_CREATE_DUMB", drm_h.DRM_IOCTL_MODE_CREATE_DUMB());
    private static final IoctlRequest DRM_IOCTL_MODE_ADDFB2 =
            IoctlRequest.of("DRM_IOCTL_MODE_ADDFB2", drm_h.DRM_IOCTL_MODE_ADDFB2());
    private static final IoctlRequest DRM_IOCTL_MODE_ATOMIC =
            IoctlRequest.of("DRM_IOCTL_MODE_ATOMIC", drm_h.DRM_IOCTL_MODE_ATOMIC());

    /** enum drm_plane_type (include/drm/drm_plane.h): the values of a plane's "type" property. */
    private static final Map<Long, String> PLANE_TYPES = Map.of(0L, "overlay", 1L, "primary", 2L, "cursor");

    @Test
    void vkmsHasOnePrimaryEightOverlayAndOneCursorPlane() throws Exception {
        try (OwnedFd card = openVkms(); Arena arena = Arena.ofConfined()) {
            assertEquals("vkms", driverName(card, arena));
            setClientCap(card, drm_h.DRM_CLIENT_CAP_UNIVERSAL_PLANES(), arena);
            MemorySegment resources = drm_mode_get_plane_res.allocate(arena);
            Syscalls.ioctl(card, DRM_IOCTL_MODE_GETPLANERESOURCES, resources);
            int count = drm_mode_get_plane_res.count_planes(resources);
            MemorySegment ids = arena.allocate(ValueLayout.JAVA_INT, Math.max(count, 1));
            drm_mode_get_plane_res.plane_id_ptr(resources, ids.address());
            Syscalls.ioctl(card, DRM_IOCTL_MODE_GETPLANERESOURCES, resources);
            Map<String, Integer> types = new TreeMap<>();
            for (int i = 0; i < count; i++) {
                long type = property(card, ids.getAtIndex(ValueLayout.JAVA_INT, i),
                        drm_mode_h.DRM_MODE_OBJECT_PLANE(), "type", arena);
                types.merge(PLANE_TYPES.getOrDefault(type, "unknown " + type), 1, Integer::sum);
            }
            assertEquals(Map.of("primary", 1, "overlay", 8, "cursor", 1), types,
                    "vkms's planes (loaded with enable_overlay=1 enable_cursor=1?)");
        }
    }

    @Test
    void vkmsShowsItsWritebackConnectorOnlyToClientsThatAskForIt() throws Exception {
        int writeback = drm_mode_h.DRM_MODE_CONNECTOR_WRITEBACK();
        assertEquals(18, writeback);
        try (OwnedFd card = openVkms(); Arena arena = Arena.ofConfined()) {
            List<Integer> before = connectorTypes(card, arena);
            assertTrue(!before.isEmpty() && !before.contains(writeback), "connector types " + before);
            setClientCap(card, drm_h.DRM_CLIENT_CAP_ATOMIC(), arena); // writeback connectors need atomic
            setClientCap(card, drm_h.DRM_CLIENT_CAP_WRITEBACK_CONNECTORS(), arena);
            List<Integer> after = connectorTypes(card, arena);
            assertEquals(1, after.stream().filter(type -> type == writeback).count(),
                    "one writeback connector (vkms loaded with enable_writeback=1?): connector types " + after);
            assertEquals(before.size() + 1, after.size(), "connector types " + before + " then " + after);
        }
    }

    /**
     * A limit of vkms in 6.12 that display tests must live with: its Virtual and Writeback encoders are not
     * clones of each other, so one CRTC cannot drive both connectors at once (dmesg: "failed valid clone check").
     * Writeback is committed with the Virtual connector off. Checked with TEST_ONLY commits: the same
     * configuration passes with the Virtual connector alone and fails with EINVAL once the writeback connector
     * joins it. (The framebuffer, dumb buffer and mode blob go with the card's fd.)
     */
    @Test
    void vkmsCannotDriveItsVirtualAndWritebackConnectorsFromOneCrtc() throws Exception {
        try (OwnedFd card = openVkms(); Arena arena = Arena.ofConfined()) {
            setClientCap(card, drm_h.DRM_CLIENT_CAP_UNIVERSAL_PLANES(), arena);
            setClientCap(card, drm_h.DRM_CLIENT_CAP_ATOMIC(), arena);
            setClientCap(card, drm_h.DRM_CLIENT_CAP_WRITEBACK_CONNECTORS(), arena);
            CardResources resources = cardResources(card, arena);
            assertEquals(1, resources.crtcs().length, "vkms CRTCs");
            int crtc = resources.crtcs()[0];
            int virtual = 0;
            int writeback = 0;
            MemorySegment mode = null;
            for (int id : resources.connectors()) {
                MemorySegment connector = drm_mode_get_connector.allocate(arena);
                drm_mode_get_connector.connector_id(connector, id);
                Syscalls.ioctl(card, DRM_IOCTL_MODE_GETCONNECTOR, connector);
                if (drm_mode_get_connector.connector_type(connector) == drm_mode_h.DRM_MODE_CONNECTOR_WRITEBACK()) {
                    writeback = id;
                    continue;
                }
                virtual = id;
                mode = preferredMode(card, id, drm_mode_get_connector.count_modes(connector), arena);
            }
            assertTrue(crtc != 0 && virtual != 0 && writeback != 0 && mode != null,
                    "vkms: crtc " + crtc + ", virtual connector " + virtual + ", writeback connector " + writeback);
            int width = Short.toUnsignedInt(drm_mode_modeinfo.hdisplay(mode));
            int height = Short.toUnsignedInt(drm_mode_modeinfo.vdisplay(mode));
            int primary = primaryPlane(card, arena);
            int modeBlob = createBlob(card, mode, arena);
            int framebuffer = dumbFramebuffer(card, width, height, arena);

            Map<Integer, Map<Integer, Long>> request = new LinkedHashMap<>();
            Map<String, Long> crtcProps = propertyIds(card, crtc, drm_mode_h.DRM_MODE_OBJECT_CRTC(), arena);
            request.put(crtc, Map.of(id(crtcProps, "ACTIVE"), 1L, id(crtcProps, "MODE_ID"), (long) modeBlob));
            Map<String, Long> planeProps = propertyIds(card, primary, drm_mode_h.DRM_MODE_OBJECT_PLANE(), arena);
            Map<Integer, Long> plane = new LinkedHashMap<>();
            plane.put(id(planeProps, "FB_ID"), (long) framebuffer);
            plane.put(id(planeProps, "CRTC_ID"), (long) crtc);
            plane.put(id(planeProps, "SRC_X"), 0L);
            plane.put(id(planeProps, "SRC_Y"), 0L);
            plane.put(id(planeProps, "SRC_W"), (long) width << 16);
            plane.put(id(planeProps, "SRC_H"), (long) height << 16);
            plane.put(id(planeProps, "CRTC_X"), 0L);
            plane.put(id(planeProps, "CRTC_Y"), 0L);
            plane.put(id(planeProps, "CRTC_W"), (long) width);
            plane.put(id(planeProps, "CRTC_H"), (long) height);
            request.put(primary, plane);
            int connectorCrtc = id(propertyIds(card, virtual, drm_mode_h.DRM_MODE_OBJECT_CONNECTOR(), arena), "CRTC_ID");
            request.put(virtual, Map.of(connectorCrtc, (long) crtc));
            assertEquals(0, testOnlyCommit(card, request, arena), "TEST_ONLY commit of the Virtual connector alone");

            int writebackCrtc = id(propertyIds(card, writeback, drm_mode_h.DRM_MODE_OBJECT_CONNECTOR(), arena),
                    "CRTC_ID");
            request.put(writeback, Map.of(writebackCrtc, (long) crtc));
            assertEquals(-Errno.EINVAL, testOnlyCommit(card, request, arena),
                    "TEST_ONLY commit of the Virtual and the Writeback connector on one CRTC: vkms 6.12 refuses it;"
                            + " if it passes now, vkms can clone them and display tests may use both");
        }
    }

    private static OwnedFd openVkms() throws Exception {
        List<Path> cards = DrmDevices.cards();
        Path card = DrmDevices.findByDriver("vkms").orElseThrow(() -> new AssertionError(
                "no vkms card among " + cards + ": the test bed loads vkms built by scripts/testbed/setup")).path();
        return Syscalls.open(card, Syscalls.O_RDWR);
    }

    private static String driverName(OwnedFd card, Arena arena) throws Exception {
        MemorySegment version = drm_version.allocate(arena);
        Syscalls.ioctl(card, DRM_IOCTL_VERSION, version);
        MemorySegment name = arena.allocate(drm_version.name_len(version) + 1);
        drm_version.name(version, name);
        Syscalls.ioctl(card, DRM_IOCTL_VERSION, version);
        return name.getString(0);
    }

    private static void setClientCap(OwnedFd card, int capability, Arena arena) throws Exception {
        MemorySegment cap = drm_set_client_cap.allocate(arena);
        drm_set_client_cap.capability(cap, capability);
        drm_set_client_cap.value(cap, 1);
        Syscalls.ioctl(card, DRM_IOCTL_SET_CLIENT_CAP, cap);
    }

    /** The value of the property called {@code name} on a KMS object. */
    private static long property(OwnedFd card, int objectId, int objectType, String name, Arena arena) throws Exception {
        MemorySegment request = drm_mode_obj_get_properties.allocate(arena);
        drm_mode_obj_get_properties.obj_id(request, objectId);
        drm_mode_obj_get_properties.obj_type(request, objectType);
        Syscalls.ioctl(card, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, request);
        int count = drm_mode_obj_get_properties.count_props(request);
        MemorySegment ids = arena.allocate(ValueLayout.JAVA_INT, Math.max(count, 1));
        MemorySegment values = arena.allocate(ValueLayout.JAVA_LONG, Math.max(count, 1));
        drm_mode_obj_get_properties.props_ptr(request, ids.address());
        drm_mode_obj_get_properties.prop_values_ptr(request, values.address());
        Syscalls.ioctl(card, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, request);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            MemorySegment property = drm_mode_get_property.allocate(arena);
            drm_mode_get_property.prop_id(property, ids.getAtIndex(ValueLayout.JAVA_INT, i));
            Syscalls.ioctl(card, DRM_IOCTL_MODE_GETPROPERTY, property);
            String propertyName = drm_mode_get_property.name(property).getString(0);
            if (propertyName.equals(name)) {
                return values.getAtIndex(ValueLayout.JAVA_LONG, i);
            }
            names.add(propertyName);
        }
        throw new AssertionError("object " + objectId + " has no property " + name + " among " + names);
    }

    private static List<Integer> connectorTypes(OwnedFd card, Arena arena) throws Exception {
        List<Integer> types = new ArrayList<>();
        for (int id : cardResources(card, arena).connectors()) {
            MemorySegment connector = drm_mode_get_connector.allocate(arena);
            drm_mode_get_connector.connector_id(connector, id);
            Syscalls.ioctl(card, DRM_IOCTL_MODE_GETCONNECTOR, connector);
            types.add(drm_mode_get_connector.connector_type(connector));
        }
        return types;
    }

    private record CardResources(int[] crtcs, int[] connectors) {}

    /** The CRTC and connector ids (GETRESOURCES: counts, then ids). */
    private static CardResources cardResources(OwnedFd card, Arena arena) throws Exception {
        MemorySegment counts = drm_mode_card_res.allocate(arena);
        Syscalls.ioctl(card, DRM_IOCTL_MODE_GETRESOURCES, counts);
        MemorySegment filled = drm_mode_card_res.allocate(arena);
        int crtcs = drm_mode_card_res.count_crtcs(counts);
        int connectors = drm_mode_card_res.count_connectors(counts);
        MemorySegment crtcIds = arena.allocate(ValueLayout.JAVA_INT, Math.max(crtcs, 1));
        MemorySegment connectorIds = arena.allocate(ValueLayout.JAVA_INT, Math.max(connectors, 1));
        drm_mode_card_res.count_crtcs(filled, crtcs);
        drm_mode_card_res.crtc_id_ptr(filled, crtcIds.address());
        drm_mode_card_res.count_connectors(filled, connectors);
        drm_mode_card_res.connector_id_ptr(filled, connectorIds.address());
        Syscalls.ioctl(card, DRM_IOCTL_MODE_GETRESOURCES, filled);
        return new CardResources(crtcIds.asSlice(0, 4L * crtcs).toArray(ValueLayout.JAVA_INT),
                connectorIds.asSlice(0, 4L * connectors).toArray(ValueLayout.JAVA_INT));
    }

    /** The connector's preferred mode (else its first), as a drm_mode_modeinfo. */
    private static MemorySegment preferredMode(OwnedFd card, int connectorId, int count, Arena arena) throws Exception {
        MemorySegment connector = drm_mode_get_connector.allocate(arena);
        MemorySegment modes = arena.allocate(drm_mode_modeinfo.layout(), Math.max(count, 1));
        drm_mode_get_connector.connector_id(connector, connectorId);
        drm_mode_get_connector.count_modes(connector, count);
        drm_mode_get_connector.modes_ptr(connector, modes.address());
        Syscalls.ioctl(card, DRM_IOCTL_MODE_GETCONNECTOR, connector);
        long size = drm_mode_modeinfo.sizeof();
        for (int i = 0; i < count; i++) {
            MemorySegment mode = modes.asSlice(i * size, size);
            if ((drm_mode_modeinfo.type(mode) & drm_mode_h.DRM_MODE_TYPE_PREFERRED()) != 0) {
                return mode;
            }
        }
        return count > 0 ? modes.asSlice(0, size) : null;
    }

    private static int primaryPlane(OwnedFd card, Arena arena) throws Exception {
        MemorySegment resources = drm_mode_get_plane_res.allocate(arena);
        Syscalls.ioctl(card, DRM_IOCTL_MODE_GETPLANERESOURCES, resources);
        int count = drm_mode_get_plane_res.count_planes(resources);
        MemorySegment ids = arena.allocate(ValueLayout.JAVA_INT, Math.max(count, 1));
        drm_mode_get_plane_res.plane_id_ptr(resources, ids.address());
        Syscalls.ioctl(card, DRM_IOCTL_MODE_GETPLANERESOURCES, resources);
        for (int i = 0; i < count; i++) {
            int plane = ids.getAtIndex(ValueLayout.JAVA_INT, i);
            if (property(card, plane, drm_mode_h.DRM_MODE_OBJECT_PLANE(), "type", arena) == 1) { // DRM_PLANE_TYPE_PRIMARY
                return plane;
            }
        }
        throw new AssertionError("vkms has no primary plane");
    }

    private static int createBlob(OwnedFd card, MemorySegment data, Arena arena) throws Exception {
        MemorySegment blob = drm_mode_create_blob.allocate(arena);
        drm_mode_create_blob.data(blob, data.address());
        drm_mode_create_blob.length(blob, (int) data.byteSize());
        Syscalls.ioctl(card, DRM_IOCTL_MODE_CREATEPROPBLOB, blob);
        return drm_mode_create_blob.blob_id(blob);
    }

    /** An XR24 framebuffer on a dumb buffer of width x height. */
    private static int dumbFramebuffer(OwnedFd card, int width, int height, Arena arena) throws Exception {
        MemorySegment dumb = drm_mode_create_dumb.allocate(arena);
        drm_mode_create_dumb.width(dumb, width);
        drm_mode_create_dumb.height(dumb, height);
        drm_mode_create_dumb.bpp(dumb, 32);
        Syscalls.ioctl(card, DRM_IOCTL_MODE_CREATE_DUMB, dumb);
        MemorySegment fb = drm_mode_fb_cmd2.allocate(arena);
        drm_mode_fb_cmd2.width(fb, width);
        drm_mode_fb_cmd2.height(fb, height);
        drm_mode_fb_cmd2.pixel_format(fb, drm_fourcc_h.DRM_FORMAT_XRGB8888());
        drm_mode_fb_cmd2.handles(fb, 0, drm_mode_create_dumb.handle(dumb));
        drm_mode_fb_cmd2.pitches(fb, 0, drm_mode_create_dumb.pitch(dumb));
        Syscalls.ioctl(card, DRM_IOCTL_MODE_ADDFB2, fb);
        return drm_mode_fb_cmd2.fb_id(fb);
    }

    /** Property name to property id of a KMS object. */
    private static Map<String, Long> propertyIds(OwnedFd card, int objectId, int objectType, Arena arena)
            throws Exception {
        MemorySegment request = drm_mode_obj_get_properties.allocate(arena);
        drm_mode_obj_get_properties.obj_id(request, objectId);
        drm_mode_obj_get_properties.obj_type(request, objectType);
        Syscalls.ioctl(card, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, request);
        int count = drm_mode_obj_get_properties.count_props(request);
        MemorySegment ids = arena.allocate(ValueLayout.JAVA_INT, Math.max(count, 1));
        MemorySegment values = arena.allocate(ValueLayout.JAVA_LONG, Math.max(count, 1));
        drm_mode_obj_get_properties.props_ptr(request, ids.address());
        drm_mode_obj_get_properties.prop_values_ptr(request, values.address());
        Syscalls.ioctl(card, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, request);
        Map<String, Long> byName = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            MemorySegment property = drm_mode_get_property.allocate(arena);
            int id = ids.getAtIndex(ValueLayout.JAVA_INT, i);
            drm_mode_get_property.prop_id(property, id);
            Syscalls.ioctl(card, DRM_IOCTL_MODE_GETPROPERTY, property);
            byName.put(drm_mode_get_property.name(property).getString(0), (long) id);
        }
        return byName;
    }

    private static int id(Map<String, Long> properties, String name) {
        Long id = properties.get(name);
        if (id == null) {
            throw new AssertionError("no property " + name + " among " + properties.keySet());
        }
        return id.intValue();
    }

    /** DRM_IOCTL_MODE_ATOMIC with TEST_ONLY | ALLOW_MODESET: 0 or -errno. */
    private static int testOnlyCommit(OwnedFd card, Map<Integer, Map<Integer, Long>> objects, Arena arena) {
        int total = objects.values().stream().mapToInt(Map::size).sum();
        MemorySegment objectIds = arena.allocate(ValueLayout.JAVA_INT, objects.size());
        MemorySegment counts = arena.allocate(ValueLayout.JAVA_INT, objects.size());
        MemorySegment props = arena.allocate(ValueLayout.JAVA_INT, total);
        MemorySegment values = arena.allocate(ValueLayout.JAVA_LONG, total);
        int object = 0;
        int property = 0;
        for (Map.Entry<Integer, Map<Integer, Long>> entry : objects.entrySet()) {
            objectIds.setAtIndex(ValueLayout.JAVA_INT, object, entry.getKey());
            counts.setAtIndex(ValueLayout.JAVA_INT, object++, entry.getValue().size());
            for (Map.Entry<Integer, Long> value : entry.getValue().entrySet()) {
                props.setAtIndex(ValueLayout.JAVA_INT, property, value.getKey());
                values.setAtIndex(ValueLayout.JAVA_LONG, property++, value.getValue());
            }
        }
        MemorySegment atomic = drm_mode_atomic.allocate(arena);
        drm_mode_atomic.flags(atomic, drm_mode_h.DRM_MODE_ATOMIC_TEST_ONLY() | drm_mode_h.DRM_MODE_ATOMIC_ALLOW_MODESET());
        drm_mode_atomic.count_objs(atomic, objects.size());
        drm_mode_atomic.objs_ptr(atomic, objectIds.address());
        drm_mode_atomic.count_props_ptr(atomic, counts.address());
        drm_mode_atomic.props_ptr(atomic, props.address());
        drm_mode_atomic.prop_values_ptr(atomic, values.address());
        return Syscalls.tryIoctl(card, DRM_IOCTL_MODE_ATOMIC, atomic);
    }
}
