package io.zeroframe.v4l2.control;

import io.zeroframe.bindings.KernelException;
import java.util.ArrayList;
import java.util.List;

/**
 * Values for several controls, written at once: {@link #apply()} ({@code VIDIOC_S_EXT_CTRLS}) sets all of them
 * or none; {@link #test()} ({@code VIDIOC_TRY_EXT_CTRLS}) asks whether the driver would take them, changing
 * nothing. Names resolve when added ({@link Controls#find(String)}); values are checked against each control's
 * current range when applied (see {@link Controls}).
 *
 * {@snippet :
 * camera.controls().change()
 *         .set("brightness", 100)
 *         .set("horizontal_flip", true)
 *         .set("test_pattern", "100% Red")
 *         .apply();
 * }
 *
 * <p>Not thread-safe (a builder); the calls it makes are.
 */
public final class ControlChange {
    private final ControlList controls;
    private final List<ControlWrite> writes = new ArrayList<>();

    ControlChange(ControlList controls) {
        this.controls = controls;
    }

    /** A number for an integer, 64-bit integer, bitmask or boolean control, or a menu index. */
    public ControlChange set(String name, long value) throws KernelException {
        writes.add(new ControlWrite(controls.find(name), ControlWrite.Kind.NUMBER, value, null, null));
        return this;
    }

    /** A boolean control (or an integer control: 0 or 1). */
    public ControlChange set(String name, boolean value) throws KernelException {
        writes.add(new ControlWrite(controls.find(name), ControlWrite.Kind.BOOLEAN, value ? 1 : 0, null, null));
        return this;
    }

    /** A string control's text, or a menu control's item by name. */
    public ControlChange set(String name, String value) throws KernelException {
        writes.add(new ControlWrite(controls.find(name), ControlWrite.Kind.TEXT, 0, value, null));
        return this;
    }

    /** An array or compound control's payload (copied now). */
    public ControlChange setBytes(String name, byte[] value) throws KernelException {
        writes.add(new ControlWrite(controls.find(name), ControlWrite.Kind.BYTES, 0, null, value.clone()));
        return this;
    }

    /** Presses a button control. */
    public ControlChange press(String name) throws KernelException {
        writes.add(new ControlWrite(controls.find(name), ControlWrite.Kind.PRESS, 1, null, null));
        return this;
    }

    /**
     * Sets all values at once ({@code VIDIOC_S_EXT_CTRLS}, {@code V4L2_CTRL_WHICH_CUR_VAL}): all or none change.
     *
     * @return the values the driver set, in the order added (drivers may adjust them)
     * @throws KernelException ERANGE for a value out of a control's range, before the call (nothing changed);
     *         the kernel's error naming the control in {@code error_idx} (EACCES read-only, EBUSY grabbed...)
     */
    public List<ControlValue> apply() throws KernelException {
        List<ControlValue> values = ControlAccess.write(controls.node(), writes, true);
        if (writes.stream().anyMatch(w -> w.control().flags().contains(ControlFlag.UPDATE))) {
            controls.invalidate(); // others' flags or ranges may have changed (gain_automatic: gain inactive)
        }
        return values;
    }

    /**
     * Asks whether the driver would take these values ({@code VIDIOC_TRY_EXT_CTRLS}); changes nothing.
     *
     * @return the values the driver would set, in the order added
     * @throws KernelException as {@link #apply()} would, for {@code VIDIOC_TRY_EXT_CTRLS}
     */
    public List<ControlValue> test() throws KernelException {
        return ControlAccess.write(controls.node(), writes, false);
    }
}
