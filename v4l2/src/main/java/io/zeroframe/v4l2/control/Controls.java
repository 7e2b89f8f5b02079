package io.zeroframe.v4l2.control;

import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_QUERYMENU;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_QUERY_EXT_CTRL;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.videodev2.v4l2_query_ext_ctrl;
import io.zeroframe.bindings.videodev2.v4l2_querymenu;
import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.v4l2.internal.Factories;
import io.zeroframe.v4l2.internal.VideoNode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The controls of a video node: enumerate them ({@code VIDIOC_QUERY_EXT_CTRL} with
 * {@code V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CTRL_FLAG_NEXT_COMPOUND}, {@code VIDIOC_QUERYMENU}), find them by name
 * ("Test Pattern" or {@code v4l2-ctl}'s {@code test_pattern}) or id, read and write them one at a time or several
 * at once atomically ({@code VIDIOC_G/S/TRY_EXT_CTRLS} with {@code V4L2_CTRL_WHICH_CUR_VAL}).
 *
 * {@snippet :
 * Controls controls = camera.controls();
 * controls.set("test_pattern", "100% Red");          // a menu item by name
 * controls.set("brightness", 200);                   // checked against min, max and step first
 * int dropped = controls.getInt("percentage_of_dropped_buffers");
 * controls.press("inject_vidioc_qbuf_error");        // a button
 * controls.change().set("hue", 10).set("saturation", 100).apply(); // both or neither
 * }
 *
 * <p>Values are checked in Java before the call: integers against minimum, maximum and step (the kernel would
 * silently clamp and round them), menu indexes against the menu's items, bitmasks against the mask, strings
 * against their length range, payloads against their size. A value that fails throws a {@link KernelException}
 * with ERANGE (the kernel's errno for values out of range) naming the control, its range and step, and nothing
 * is changed. Kernel failures name the control the kernel reports in {@code error_idx}.
 *
 * <p>The list is enumerated on first use and again after what changes controls' ranges, flags and dimensions
 * through this node: selecting another input, output, standard or DV timings on its
 * {@link io.zeroframe.v4l2.VideoDevice}, and writing a control flagged {@link ControlFlag#UPDATE}. Changes made
 * through another file handle (another process switching the input) are seen by {@link #query(int)},
 * {@link io.zeroframe.v4l2.VideoDevice#describe()} and {@link #refresh()}; subscribe to
 * {@link io.zeroframe.v4l2.EventType#CTRL} events (changes {@code V4L2_EVENT_CTRL_CH_RANGE}, {@code _FLAGS},
 * {@code _DIMENSIONS}) to learn when to call it. Values are always checked against the control's current range.
 *
 * <p>Thread-safe: every call uses its own scratch memory. Controls are not a hot path: calls allocate.
 */
public final class Controls {

    private static final int NEXT = videodev2_h.V4L2_CTRL_FLAG_NEXT_CTRL() | videodev2_h.V4L2_CTRL_FLAG_NEXT_COMPOUND();
    private static final int MAX_CONTROLS = 65536;
    private static final int MAX_MENU_ITEMS = 4096;

    static {
        Factories.register(Controls.class, Controls::new); // VideoDevice creates its Controls through Factories
    }

    private final VideoNode device;
    /** The enumerated list and the node's {@link VideoNode#settingsGeneration()} it was enumerated at. */
    private record Snapshot(long generation, List<ControlInfo> controls) {}

    private volatile Snapshot snapshot;

    private Controls(VideoNode device) {
        this.device = device;
    }

    /**
     * Every control of the node in the driver's order, with the class headings ({@link ControlType#CTRL_CLASS},
     * e.g. "User Controls") where they begin; empty for a node without controls. Enumerated on first use and after
     * changes through this node that can change controls (see above).
     */
    public List<ControlInfo> list() throws KernelException {
        Snapshot s = snapshot;
        if (s == null || s.generation() != device.settingsGeneration()) {
            return refresh();
        }
        return s.controls();
    }

    /** Enumerates the controls again (drivers may add controls or change ranges, flags and dimensions). */
    public List<ControlInfo> refresh() throws KernelException {
        long generation = device.settingsGeneration();
        List<ControlInfo> controls = enumerate();
        snapshot = new Snapshot(generation, controls);
        return controls;
    }

    /** Makes the next {@link #list()} enumerate again: a write may have changed other controls. */
    void invalidate() {
        snapshot = null;
    }

    /**
     * The control named {@code name}: its driver name ("Test Pattern", exact, else ignoring case) or its
     * {@link ControlInfo#key() key} ({@code test_pattern}).
     *
     * @throws IllegalArgumentException naming the node and listing its controls when none has that name
     */
    public ControlInfo find(String name) throws KernelException {
        return lookup(name).orElseThrow(() -> new IllegalArgumentException(unknown("no control named \"" + name + "\"")));
    }

    /** The control named {@code name} (see {@link #find(String)}), or empty. */
    public Optional<ControlInfo> lookup(String name) throws KernelException {
        List<ControlInfo> controls = list();
        for (ControlInfo c : controls) {
            if (!c.isClassHeading() && c.name().equals(name)) {
                return Optional.of(c);
            }
        }
        for (ControlInfo c : controls) {
            if (!c.isClassHeading() && (c.key().equals(name) || c.name().equalsIgnoreCase(name))) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /**
     * The control with this id ({@code V4L2_CID_*}).
     *
     * @throws IllegalArgumentException naming the node and listing its controls when it has none with that id
     */
    public ControlInfo find(int id) throws KernelException {
        for (ControlInfo c : list()) {
            if (c.id() == id) {
                return c;
            }
        }
        throw new IllegalArgumentException(unknown(String.format("no control with id 0x%08x", id)));
    }

    /**
     * Asks the driver about one control now ({@code VIDIOC_QUERY_EXT_CTRL}, {@code VIDIOC_QUERYMENU}): current
     * range, flags (e.g. {@link ControlFlag#INACTIVE}) and element count.
     *
     * @throws KernelException {@code VIDIOC_QUERY_EXT_CTRL} EINVAL for an id the node does not have
     */
    public ControlInfo query(int id) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q = v4l2_query_ext_ctrl.allocate(arena);
            v4l2_query_ext_ctrl.id(q, id);
            int result = device.tryIoctl(VIDIOC_QUERY_EXT_CTRL, q);
            if (result < 0) {
                throw device.failure(VIDIOC_QUERY_EXT_CTRL.name(), -result,
                        String.format("querying control 0x%08x", id));
            }
            return decode(q, arena);
        }
    }

    // ---- reading

    /** The current value of the control named {@code name} ({@code VIDIOC_G_EXT_CTRLS}), typed by its type. */
    public ControlValue get(String name) throws KernelException {
        return get(find(name));
    }

    /** The current value of {@code control} ({@code VIDIOC_G_EXT_CTRLS}). */
    public ControlValue get(ControlInfo control) throws KernelException {
        return ControlAccess.get(device, List.of(control)).getFirst();
    }

    /**
     * The current values of several controls read at once ({@code VIDIOC_G_EXT_CTRLS}), in the given order.
     *
     * @throws KernelException naming the control the kernel reports in {@code error_idx} (EACCES for a
     *         write-only control)
     */
    public List<ControlValue> get(List<String> names) throws KernelException {
        List<ControlInfo> controls = new ArrayList<>(names.size());
        for (String name : names) {
            controls.add(find(name));
        }
        return ControlAccess.get(device, controls);
    }

    /** An integer, bitmask, button or menu-index control's value (a 64-bit value must fit an int). */
    public int getInt(String name) throws KernelException {
        return switch (get(name)) {
            case ControlValue.OfInt v -> v.value();
            case ControlValue.OfMenu v -> v.index();
            case ControlValue.OfBoolean v -> v.value() ? 1 : 0;
            case ControlValue.OfLong v -> Math.toIntExact(v.value());
            case ControlValue value -> throw wrongType(value.control(), "an int");
        };
    }

    /** An integer or 64-bit integer control's value. */
    public long getLong(String name) throws KernelException {
        return switch (get(name)) {
            case ControlValue.OfLong v -> v.value();
            case ControlValue.OfInt v -> v.value();
            case ControlValue.OfMenu v -> v.index();
            case ControlValue value -> throw wrongType(value.control(), "a long");
        };
    }

    /** A boolean control's value. */
    public boolean getBoolean(String name) throws KernelException {
        return switch (get(name)) {
            case ControlValue.OfBoolean v -> v.value();
            case ControlValue value -> throw wrongType(value.control(), "a boolean");
        };
    }

    /** A string control's value, or the selected item's name of a menu control. */
    public String getString(String name) throws KernelException {
        return switch (get(name)) {
            case ControlValue.OfString v -> v.value();
            case ControlValue.OfMenu v -> v.item().name();
            case ControlValue value -> throw wrongType(value.control(), "a String");
        };
    }

    /** The payload of an array or compound control (native byte order), or a string's bytes without the NUL. */
    public byte[] getBytes(String name) throws KernelException {
        return switch (get(name)) {
            case ControlValue.OfBytes v -> v.bytes();
            case ControlValue.OfString v -> v.value().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            case ControlValue value -> throw wrongType(value.control(), "bytes");
        };
    }

    // ---- writing

    /**
     * Sets an integer, 64-bit integer, bitmask, boolean (0 or 1) control, or a menu or integer menu to the item at
     * index {@code value} ({@code VIDIOC_S_EXT_CTRLS}), after checking the value against the control's current
     * range and step.
     *
     * @throws KernelException ERANGE naming the control, its range and step for a value it does not take
     *         (nothing changed); EACCES for a read-only control, EBUSY for a grabbed one
     * @throws IllegalArgumentException for a control that does not take a number (string, payload)
     */
    public void set(String name, long value) throws KernelException {
        change().set(name, value).apply();
    }

    /** Sets a boolean control (or an integer control to 0 or 1); see {@link #set(String, long)}. */
    public void set(String name, boolean value) throws KernelException {
        change().set(name, value).apply();
    }

    /**
     * Sets a string control to {@code value}, or a menu control to the item named {@code value}.
     *
     * @throws KernelException ERANGE for a string whose length is out of range or a menu without such an item
     */
    public void set(String name, String value) throws KernelException {
        change().set(name, value).apply();
    }

    /**
     * Sets an array or compound control's payload (native byte order; {@link ControlInfo#elementSize()} bytes
     * per element; a dynamic array takes 1 to {@link ControlInfo#maxElements()} elements).
     */
    public void setBytes(String name, byte[] value) throws KernelException {
        change().setBytes(name, value).apply();
    }

    /** Presses a button control (e.g. vivid's {@code disconnect}, {@code inject_vidioc_qbuf_error}). */
    public void press(String name) throws KernelException {
        change().press(name).apply();
    }

    /**
     * Whether the driver would take {@code value} for the control ({@code VIDIOC_TRY_EXT_CTRLS}): returns the
     * value the driver would set (see {@link #set(String, long)} for the checks and errors).
     */
    public ControlValue tryValue(String name, long value) throws KernelException {
        return change().set(name, value).test().getFirst();
    }

    /** A change of several controls, applied at once ({@link ControlChange#apply()}) or tested. */
    public ControlChange change() {
        return new ControlChange(this);
    }

    VideoNode device() {
        return device;
    }

    IllegalArgumentException wrongType(ControlInfo control, String what) {
        return new IllegalArgumentException("control " + control.label() + " on " + device.path() + " is "
                + control.type().kernelName() + (control.hasPayload() ? " with a payload" : "") + ", not " + what);
    }

    private String unknown(String what) {
        String all;
        try {
            all = list().stream().filter(c -> !c.isClassHeading()).map(ControlInfo::key)
                    .collect(Collectors.joining(", "));
        } catch (KernelException e) {
            all = "(cannot list them: " + e.getMessage() + ")";
        }
        return what + " on " + device.path() + " (" + device.identity() + "); its controls: " + (all.isEmpty() ? "none" : all);
    }

    // ---- enumeration

    private List<ControlInfo> enumerate() throws KernelException {
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
                ControlInfo control = decode(q, arena);
                controls.add(control);
                id = control.id();
            }
        }
        return List.copyOf(controls);
    }

    private ControlInfo decode(MemorySegment q, Arena arena) throws KernelException {
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
                ? menu(id, type, min, max, arena) : List.of();
        return new ControlInfo(id, v4l2_query_ext_ctrl.name(q).getString(0), type, rawType, min, max,
                v4l2_query_ext_ctrl.step(q), v4l2_query_ext_ctrl.default_value(q), ControlFlag.decode(flags),
                ControlFlag.unknownBits(flags), v4l2_query_ext_ctrl.elem_size(q), v4l2_query_ext_ctrl.elems(q),
                dims, menu);
    }

    private List<MenuItem> menu(int id, ControlType type, long min, long max, Arena arena) throws KernelException {
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
