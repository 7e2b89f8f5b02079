package io.zeroframe.v4l2.control;

/**
 * One control's new value in a {@link ControlChange}; exactly one of number, text and bytes is meaningful, by kind.
 */
record ControlWrite(ControlInfo control, Kind kind, long number, String text, byte[] bytes) {
    enum Kind { NUMBER, BOOLEAN, TEXT, BYTES, PRESS }
}
