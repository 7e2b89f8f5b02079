package io.zeroframe.v4l2.control;

/**
 * One item of a menu control ({@code VIDIOC_QUERYMENU}): a name for {@link ControlType#MENU}, a 64-bit value for
 * {@link ControlType#INTEGER_MENU}. Indexes may have gaps: drivers skip items they do not support.
 *
 * @param index the item's index, the control's value when it is selected
 * @param name  the item's name for a menu; the value in decimal for an integer menu
 * @param value the item's value for an integer menu; the index for a menu
 */
public record MenuItem(int index, String name, long value) {
    @Override
    public String toString() {
        return index + ": " + name;
    }
}
