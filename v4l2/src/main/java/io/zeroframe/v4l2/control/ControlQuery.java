package io.zeroframe.v4l2.control;

import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_QUERYMENU;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_QUERY_EXT_CTRL;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.videodev2.v4l2_query_ext_ctrl;
import io.zeroframe.bindings.videodev2.v4l2_querymenu;
import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.v4l2.internal.VideoNode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code VIDIOC_QUERY_EXT_CTRL} (one control, or all with {@code V4L2_CTRL_FLAG_NEXT_CTRL |
 * V4L2_CTRL_FLAG_NEXT_COMPOUND}) and {@code VIDIOC_QUERYMENU}: controls as the driver describes them now.
 */
final class ControlQuery {
    private static final int NEXT = videodev2_h.V4L2_CTRL_FLAG_NEXT_CTRL() | videodev2_h.V4L2_CTRL_FLAG_NEXT_COMPOUND();
    private static final int MAX_CONTROLS = 65536;
    private static final int MAX_MENU_ITEMS = 4096;

    private ControlQuery() {}

    /** One control as the driver describes it now ({@code VIDIOC_QUERY_EXT_CTRL}, its menu items). */
    static ControlInfo query(VideoNode device, int id) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q = v4l2_query_ext_ctrl.allocate(arena);
            v4l2_query_ext_ctrl.id(q, id);
            int result = device.tryIoctl(VIDIOC_QUERY_EXT_CTRL, q);
            if (result < 0) {
                throw device.failure(VIDIOC_QUERY_EXT_CTRL.name(), -result,
                        String.format("querying control 0x%08x", id));
            }
            return decode(device, q, arena);
        }
    }

    /** Every control of the node, class headings included, in the driver's order. */
    static List<ControlInfo> enumerate(VideoNode device) throws KernelException {
        List<ControlInfo> controls = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q = v4l2_query_ext_ctrl.allocate(arena);
            int id = 0;
            for (int n = 0; n < MAX_CONTROLS; n++) {
                q.fill((byte) 0);
                v4l2_query_ext_ctrl.id(q, id | NEXT);
                int result = device.tryIoctl(VIDIOC_QUERY_EXT_CTRL, q);
                if (result == -Errno.EINVAL || (result == -Errno.ENOTTY && n == 0)) {
                    break;
                }
                if (result < 0) {
                    throw device.failure(VIDIOC_QUERY_EXT_CTRL.name(), -result, "enumerating the controls");
                }
                ControlInfo control = decode(device, q, arena);
                controls.add(control);
                id = control.id();
            }
        }
        return List.copyOf(controls);
    }

    private static ControlInfo decode(VideoNode device, MemorySegment q, Arena arena) throws KernelException {
        int id = v4l2_query_ext_ctrl.id(q);
        int rawType = v4l2_query_ext_ctrl.type(q);
        ControlType type = ControlType.of(rawType);
        int flags = v4l2_query_ext_ctrl.flags(q);
        int dimCount = v4l2_query_ext_ctrl.nr_of_dims(q);
        List<Integer> dims = new ArrayList<>();
        MemorySegment dimSegment = v4l2_query_ext_ctrl.dims(q);
        for (int i = 0; i < Math.min(dimCount, videodev2_h.V4L2_CTRL_MAX_DIMS()); i++) {
            dims.add(dimSegment.getAtIndex(ValueLayout.JAVA_INT, i));
        }
        long min = v4l2_query_ext_ctrl.minimum(q);
        long max = v4l2_query_ext_ctrl.maximum(q);
        List<MenuItem> menu = type == ControlType.MENU || type == ControlType.INTEGER_MENU
                ? menu(device, id, type, min, max, arena) : List.of();
        return new ControlInfo(id, v4l2_query_ext_ctrl.name(q).getString(0), type, rawType, min, max,
                v4l2_query_ext_ctrl.step(q), v4l2_query_ext_ctrl.default_value(q), ControlFlag.decode(flags),
                ControlFlag.unknownBits(flags), v4l2_query_ext_ctrl.elem_size(q), v4l2_query_ext_ctrl.elems(q),
                dims, menu);
    }

    private static List<MenuItem> menu(VideoNode device, int id, ControlType type, long min, long max, Arena arena)
            throws KernelException {
        List<MenuItem> items = new ArrayList<>();
        MemorySegment m = v4l2_querymenu.allocate(arena);
        for (long index = Math.max(min, 0); index <= max && items.size() < MAX_MENU_ITEMS; index++) {
            m.fill((byte) 0);
            v4l2_querymenu.id(m, id);
            v4l2_querymenu.index(m, (int) index);
            int result = device.tryIoctl(VIDIOC_QUERYMENU, m);
            if (result == -Errno.EINVAL) {
                continue; // an index the driver skips
            }
            if (result < 0) {
                throw device.failure(VIDIOC_QUERYMENU.name(), -result,
                        String.format("item %d of control 0x%08x", index, id));
            }
            if (type == ControlType.INTEGER_MENU) {
                long value = v4l2_querymenu.value(m);
                items.add(new MenuItem((int) index, Long.toString(value), value));
            } else {
                items.add(new MenuItem((int) index, v4l2_querymenu.name(m).getString(0), index));
            }
        }
        return items;
    }
}
