package io.zeroframe.v4l2.control;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code VIDIOC_QUERY_EXT_CTRL} (and {@code VIDIOC_QUERYMENU} for menus) says about one control: an
 * immutable snapshot; the driver may change ranges and flags later (query again with
 * {@link Controls#query(int)}).
 *
 * @param id              the control's id ({@code V4L2_CID_*}), e.g. 0x00980900 for brightness
 * @param name            the driver's name, e.g. "Brightness", "Test Pattern"
 * @param type            its type ({@link ControlType#UNKNOWN} for a type this library does not name)
 * @param rawType         the kernel's {@code V4L2_CTRL_TYPE_*} number
 * @param minimum         the minimum (of each element; the minimum length for strings)
 * @param maximum         the maximum (the bits allowed for bitmasks; the maximum length for strings)
 * @param step            the step (0 for types without one)
 * @param defaultValue    the default value
 * @param flags           {@code V4L2_CTRL_FLAG_*}
 * @param unknownFlagBits flag bits {@link ControlFlag} does not name
 * @param elementSize     bytes per element ({@code elem_size}; for strings the maximum length + 1)
 * @param elements        the number of elements ({@code elems}; the current count for dynamic arrays)
 * @param dimensions      the array's dimensions ({@code dims[0..nr_of_dims)}), empty for a single value
 * @param menu            the items of a menu or integer menu, in index order (skipped indexes absent); empty
 *                        for other types
 */
public record ControlInfo(int id, String name, ControlType type, int rawType, long minimum, long maximum, long step,
                          long defaultValue, Set<ControlFlag> flags, int unknownFlagBits, int elementSize,
                          int elements, List<Integer> dimensions, List<MenuItem> menu) {
    public ControlInfo {
        flags = flags.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(flags));
        dimensions = List.copyOf(dimensions);
        menu = List.copyOf(menu);
    }

    /**
     * The name as {@code v4l2-ctl} spells it for {@code -c}/{@code -C}: lower case, every run of other characters
     * one underscore, none at the ends ("Test Pattern" is {@code test_pattern}, "Limited RGB Range (16-235)" is
     * {@code limited_rgb_range_16_235}).
     */
    public String key() {
        return key(name);
    }

    static String key(String name) {
        StringBuilder key = new StringBuilder(name.length());
        boolean gap = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 128 && Character.isLetterOrDigit(c)) {
                if (gap && !key.isEmpty()) {
                    key.append('_');
                }
                gap = false;
                key.append(Character.toLowerCase(c));
            } else {
                gap = true;
            }
        }
        return key.toString();
    }

    /** The control class ({@code V4L2_CTRL_ID2CLASS}): the id's bits 16-27, e.g. 0x00980000 for user controls. */
    public int controlClass() {
        return id & 0x0fff0000;
    }

    /** Whether this entry is a control class heading ({@link ControlType#CTRL_CLASS}), not a control. */
    public boolean isClassHeading() {
        return type == ControlType.CTRL_CLASS;
    }

    /**
     * Whether the value travels as a payload behind a pointer ({@code V4L2_CTRL_FLAG_HAS_PAYLOAD}): strings,
     * arrays and compound types. Such values are read and written as bytes ({@link Controls#getBytes}), strings
     * also as text.
     */
    public boolean hasPayload() {
        return flags.contains(ControlFlag.HAS_PAYLOAD) || !dimensions.isEmpty() || type == ControlType.STRING
                || ControlType.isCompound(rawType);
    }

    /** Whether the control is an array ({@code nr_of_dims > 0}). */
    public boolean isArray() {
        return !dimensions.isEmpty();
    }

    /** The maximum number of elements: the product of the dimensions (1 for a single value). */
    public int maxElements() {
        int n = 1;
        for (int d : dimensions) {
            n *= d;
        }
        return n;
    }

    /** Writes fail with EACCES ({@code V4L2_CTRL_FLAG_READ_ONLY}). */
    public boolean isReadOnly() {
        return flags.contains(ControlFlag.READ_ONLY);
    }

    /** Reads fail with EACCES ({@code V4L2_CTRL_FLAG_WRITE_ONLY}). */
    public boolean isWriteOnly() {
        return flags.contains(ControlFlag.WRITE_ONLY);
    }

    /** The menu item with this index. */
    public Optional<MenuItem> menuItem(int index) {
        return menu.stream().filter(item -> item.index() == index).findFirst();
    }

    /** The menu item with this name (exact, else ignoring case). */
    public Optional<MenuItem> menuItem(String itemName) {
        Optional<MenuItem> exact = menu.stream().filter(item -> item.name().equals(itemName)).findFirst();
        return exact.isPresent() ? exact : menu.stream().filter(item -> item.name().equalsIgnoreCase(itemName)).findFirst();
    }

    /** {@code "Brightness" (brightness, 0x00980900)}: how messages name a control. */
    String label() {
        return String.format("\"%s\" (%s, 0x%08x)", name, key(), id);
    }

    /** E.g. {@code brightness 0x00980900 (int): min=0 max=255 step=1 default=128 flags=[SLIDER]}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(String.format("%s 0x%08x (%s)", key(), id,
                type == ControlType.UNKNOWN ? "type " + rawType : type.shortName()));
        switch (type) {
            case CTRL_CLASS -> {
                return "[" + name + "]";
            }
            case BUTTON -> { }
            case BOOLEAN -> s.append(": default=").append(defaultValue);
            case MENU, INTEGER_MENU -> s.append(": min=").append(minimum).append(" max=").append(maximum)
                    .append(" default=").append(defaultValue);
            case BITMASK -> s.append(String.format(": max=0x%08x default=0x%08x", maximum, defaultValue));
            case STRING -> s.append(": min=").append(minimum).append(" max=").append(maximum).append(" step=")
                    .append(step);
            default -> s.append(": min=").append(minimum).append(" max=").append(maximum).append(" step=")
                    .append(step).append(" default=").append(defaultValue);
        }
        if (!dimensions.isEmpty()) {
            s.append(" dims=").append(dimensions);
        }
        if (!flags.isEmpty()) {
            s.append(" flags=").append(flags);
        }
        if (unknownFlagBits != 0) {
            s.append(String.format(" +0x%x", unknownFlagBits));
        }
        return s.toString();
    }
}
