package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.drm.drm_h;
import io.zeroframe.bindings.drm.drm_set_client_cap;
import io.zeroframe.bindings.drm.drm_version;
import io.zeroframe.bindings.drm_mode.drm_mode_card_res;
import io.zeroframe.bindings.drm_mode.drm_mode_get_connector;
import io.zeroframe.bindings.drm_mode.drm_mode_get_plane_res;
import io.zeroframe.bindings.drm_mode.drm_mode_get_property;
import io.zeroframe.bindings.drm_mode.drm_mode_h;
import io.zeroframe.bindings.drm_mode.drm_mode_obj_get_properties;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.NoLeaks;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
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
        MemorySegment resources = drm_mode_card_res.allocate(arena);
        Syscalls.ioctl(card, DRM_IOCTL_MODE_GETRESOURCES, resources);
        int count = drm_mode_card_res.count_connectors(resources);
        MemorySegment ids = arena.allocate(ValueLayout.JAVA_INT, Math.max(count, 1));
        MemorySegment filled = drm_mode_card_res.allocate(arena);
        drm_mode_card_res.count_connectors(filled, count);
        drm_mode_card_res.connector_id_ptr(filled, ids.address());
        Syscalls.ioctl(card, DRM_IOCTL_MODE_GETRESOURCES, filled);
        List<Integer> types = new ArrayList<>();
        for (int i = 0; i < drm_mode_card_res.count_connectors(filled); i++) {
            MemorySegment connector = drm_mode_get_connector.allocate(arena);
            drm_mode_get_connector.connector_id(connector, ids.getAtIndex(ValueLayout.JAVA_INT, i));
            Syscalls.ioctl(card, DRM_IOCTL_MODE_GETCONNECTOR, connector);
            types.add(drm_mode_get_connector.connector_type(connector));
        }
        return types;
    }

}
