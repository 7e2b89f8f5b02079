package io.zeroframe.v4l2.media;

import io.zeroframe.bindings.v4l2_subdev.v4l2_subdev_h;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A media-bus format code ({@code MEDIA_BUS_FMT_*}): how pixels travel between two pads (e.g. {@code SRGGB8_1X8},
 * 8-bit Bayer, one sample per bus clock; {@code RGB888_1X24}). A value type; {@code toString()} is the kernel name
 * without its prefix, or the number in hex for a code this library does not know.
 *
 * @param value the kernel's code
 */
public record MediaBusCode(int value) {
    private static final Map<Integer, String> NAMES = new TreeMap<>();
    private static final Map<String, Integer> CODES = new TreeMap<>();

    static {
        // every MEDIA_BUS_FMT_* of the generated bindings (linux/media-bus-format.h)
        for (Method m : v4l2_subdev_h.class.getMethods()) {
            if (m.getName().startsWith("MEDIA_BUS_FMT_") && Modifier.isStatic(m.getModifiers())
                    && m.getParameterCount() == 0 && m.getReturnType() == int.class) {
                try {
                    int code = (int) m.invoke(null);
                    String name = m.getName().substring("MEDIA_BUS_FMT_".length());
                    NAMES.putIfAbsent(code, name);
                    CODES.put(name, code);
                } catch (ReflectiveOperationException e) {
                    throw new ExceptionInInitializerError(e);
                }
            }
        }
    }

    /** {@code MEDIA_BUS_FMT_RGB888_1X24}: 24-bit RGB, one pixel per bus clock. */
    public static final MediaBusCode RGB888_1X24 = new MediaBusCode(v4l2_subdev_h.MEDIA_BUS_FMT_RGB888_1X24());
    /** {@code MEDIA_BUS_FMT_BGR888_1X24}. */
    public static final MediaBusCode BGR888_1X24 = new MediaBusCode(v4l2_subdev_h.MEDIA_BUS_FMT_BGR888_1X24());
    /** {@code MEDIA_BUS_FMT_YUYV8_2X8}. */
    public static final MediaBusCode YUYV8_2X8 = new MediaBusCode(v4l2_subdev_h.MEDIA_BUS_FMT_YUYV8_2X8());
    /** {@code MEDIA_BUS_FMT_UYVY8_2X8}. */
    public static final MediaBusCode UYVY8_2X8 = new MediaBusCode(v4l2_subdev_h.MEDIA_BUS_FMT_UYVY8_2X8());
    /** {@code MEDIA_BUS_FMT_SBGGR8_1X8}: 8-bit Bayer, BGGR order. */
    public static final MediaBusCode SBGGR8_1X8 = new MediaBusCode(v4l2_subdev_h.MEDIA_BUS_FMT_SBGGR8_1X8());
    /** {@code MEDIA_BUS_FMT_SGBRG8_1X8}: 8-bit Bayer, GBRG order. */
    public static final MediaBusCode SGBRG8_1X8 = new MediaBusCode(v4l2_subdev_h.MEDIA_BUS_FMT_SGBRG8_1X8());
    /** {@code MEDIA_BUS_FMT_SGRBG8_1X8}: 8-bit Bayer, GRBG order. */
    public static final MediaBusCode SGRBG8_1X8 = new MediaBusCode(v4l2_subdev_h.MEDIA_BUS_FMT_SGRBG8_1X8());
    /** {@code MEDIA_BUS_FMT_SRGGB8_1X8}: 8-bit Bayer, RGGB order. */
    public static final MediaBusCode SRGGB8_1X8 = new MediaBusCode(v4l2_subdev_h.MEDIA_BUS_FMT_SRGGB8_1X8());

    /**
     * The code named {@code name}, with or without the {@code MEDIA_BUS_FMT_} prefix (e.g. "SRGGB8_1X8").
     *
     * @throws IllegalArgumentException for a name linux/media-bus-format.h does not define
     */
    public static MediaBusCode of(String name) {
        String key = name.startsWith("MEDIA_BUS_FMT_") ? name.substring("MEDIA_BUS_FMT_".length()) : name;
        Integer code = CODES.get(key);
        if (code == null) {
            throw new IllegalArgumentException("no media-bus code MEDIA_BUS_FMT_" + key);
        }
        return new MediaBusCode(code);
    }

    /** The kernel name without {@code MEDIA_BUS_FMT_}, if linux/media-bus-format.h defines this code. */
    public Optional<String> name() {
        return Optional.ofNullable(NAMES.get(value));
    }

    @Override
    public String toString() {
        return name().orElseGet(() -> "0x" + Integer.toHexString(value));
    }
}
