package io.zeroframe.v4l2.control;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.v4l2.internal.Factories;
import io.zeroframe.v4l2.internal.VideoNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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

    static {
        Factories.register(Controls.class, Controls::new); // VideoDevice creates its Controls through Factories
    }

    private final VideoNode device;
    private final ControlList list;

    private Controls(VideoNode device) {
        this.device = device;
        this.list = new ControlList(device);
    }

    /**
     * Every control of the node in the driver's order, with the class headings ({@link ControlType#CTRL_CLASS},
     * e.g. "User Controls") where they begin; empty for a node without controls. Enumerated on first use and after
     * changes through this node that can change controls (see above).
     */
    public List<ControlInfo> list() throws KernelException {
        return list.list();
    }

    /** Enumerates the controls again (drivers may add controls or change ranges, flags and dimensions). */
    public List<ControlInfo> refresh() throws KernelException {
        return list.refresh();
    }

    /**
     * The control named {@code name}: its driver name ("Test Pattern", exact, else ignoring case) or its
     * {@link ControlInfo#key() key} ({@code test_pattern}).
     *
     * @throws IllegalArgumentException naming the node and listing its controls when none has that name
     */
    public ControlInfo find(String name) throws KernelException {
        return list.find(name);
    }

    /** The control named {@code name} (see {@link #find(String)}), or empty. */
    public Optional<ControlInfo> lookup(String name) throws KernelException {
        return list.lookup(name);
    }

    /**
     * The control with this id ({@code V4L2_CID_*}).
     *
     * @throws IllegalArgumentException naming the node and listing its controls when it has none with that id
     */
    public ControlInfo find(int id) throws KernelException {
        return list.find(id);
    }

    /**
     * Asks the driver about one control now ({@code VIDIOC_QUERY_EXT_CTRL}, {@code VIDIOC_QUERYMENU}): current
     * range, flags (e.g. {@link ControlFlag#INACTIVE}) and element count.
     *
     * @throws KernelException {@code VIDIOC_QUERY_EXT_CTRL} EINVAL for an id the node does not have
     */
    public ControlInfo query(int id) throws KernelException {
        return ControlQuery.query(device, id);
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
            case ControlValue value -> throw ControlAccess.wrongType(device, value.control(), "an int");
        };
    }

    /** An integer or 64-bit integer control's value. */
    public long getLong(String name) throws KernelException {
        return switch (get(name)) {
            case ControlValue.OfLong v -> v.value();
            case ControlValue.OfInt v -> v.value();
            case ControlValue.OfMenu v -> v.index();
            case ControlValue value -> throw ControlAccess.wrongType(device, value.control(), "a long");
        };
    }

    /** A boolean control's value. */
    public boolean getBoolean(String name) throws KernelException {
        return switch (get(name)) {
            case ControlValue.OfBoolean v -> v.value();
            case ControlValue value -> throw ControlAccess.wrongType(device, value.control(), "a boolean");
        };
    }

    /** A string control's value, or the selected item's name of a menu control. */
    public String getString(String name) throws KernelException {
        return switch (get(name)) {
            case ControlValue.OfString v -> v.value();
            case ControlValue.OfMenu v -> v.item().name();
            case ControlValue value -> throw ControlAccess.wrongType(device, value.control(), "a String");
        };
    }

    /** The payload of an array or compound control (native byte order), or a string's bytes without the NUL. */
    public byte[] getBytes(String name) throws KernelException {
        return switch (get(name)) {
            case ControlValue.OfBytes v -> v.bytes();
            case ControlValue.OfString v -> v.value().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            case ControlValue value -> throw ControlAccess.wrongType(device, value.control(), "bytes");
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
        return new ControlChange(list);
    }
}
