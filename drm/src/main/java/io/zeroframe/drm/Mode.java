package io.zeroframe.drm;

import io.zeroframe.bindings.drm_mode.drm_mode_h;
import io.zeroframe.bindings.drm_mode.drm_mode_modeinfo;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A display mode ({@code struct drm_mode_modeinfo}): timings, refresh rate, flags and type, as a connector lists it
 * and as a CRTC's {@code MODE_ID} blob holds it.
 *
 * @param clock      pixel clock in kHz
 * @param hdisplay   visible width in pixels
 * @param hsyncStart horizontal sync start
 * @param hsyncEnd   horizontal sync end
 * @param htotal     horizontal total
 * @param hskew      horizontal skew
 * @param vdisplay   visible height in lines
 * @param vsyncStart vertical sync start
 * @param vsyncEnd   vertical sync end
 * @param vtotal     vertical total
 * @param vscan      vertical scan
 * @param vrefresh   refresh rate in Hz
 * @param flags      {@code DRM_MODE_FLAG_*}
 * @param type       {@code DRM_MODE_TYPE_*} ({@link #isPreferred()})
 * @param name       e.g. {@code "1024x768"}
 */
public record Mode(int clock, int hdisplay, int hsyncStart, int hsyncEnd, int htotal, int hskew, int vdisplay,
                   int vsyncStart, int vsyncEnd, int vtotal, int vscan, int vrefresh, int flags, int type,
                   String name) {
    /** The bytes of {@code struct drm_mode_modeinfo}: what a {@code MODE_ID} blob holds. */
    public static final long SIZE = drm_mode_modeinfo.sizeof();
    private static final int NAME_LENGTH = drm_mode_h.DRM_DISPLAY_MODE_LEN();

    /**
     * Checks that the mode fits {@code struct drm_mode_modeinfo}, so that writing it never cuts a value.
     *
     * @throws IllegalArgumentException naming the field: a size or timing outside the kernel's {@code __u16}
     *         (0 to 65535), or a name longer than 31 bytes (the 32-byte field keeps its NUL) or not ASCII
     */
    public Mode {
        Objects.requireNonNull(name, "name");
        u16("hdisplay", hdisplay);
        u16("hsyncStart", hsyncStart);
        u16("hsyncEnd", hsyncEnd);
        u16("htotal", htotal);
        u16("hskew", hskew);
        u16("vdisplay", vdisplay);
        u16("vsyncStart", vsyncStart);
        u16("vsyncEnd", vsyncEnd);
        u16("vtotal", vtotal);
        u16("vscan", vscan);
        if (!StandardCharsets.US_ASCII.newEncoder().canEncode(name)) {
            throw new IllegalArgumentException("mode name \"" + name + "\" is not ASCII, which the kernel's name "
                    + "field holds");
        }
        if (name.length() > NAME_LENGTH - 1) {
            throw new IllegalArgumentException("mode name \"" + name + "\" is " + name.length() + " bytes: "
                    + "struct drm_mode_modeinfo's name holds at most " + (NAME_LENGTH - 1) + " and its NUL");
        }
    }

    private static void u16(String field, int value) {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException("mode " + field + " " + value + " does not fit struct "
                    + "drm_mode_modeinfo's 16-bit field (0 to 65535)");
        }
    }

    /** Whether the connector prefers this mode ({@code DRM_MODE_TYPE_PREFERRED}). */
    public boolean isPreferred() {
        return (type & drm_mode_h.DRM_MODE_TYPE_PREFERRED()) != 0;
    }

    /** Reads a {@code struct drm_mode_modeinfo}. */
    static Mode read(MemorySegment info) {
        MemorySegment name = drm_mode_modeinfo.name(info);
        int length = 0;
        while (length < NAME_LENGTH - 1 && name.get(java.lang.foreign.ValueLayout.JAVA_BYTE, length) != 0) {
            length++;
        }
        return new Mode(drm_mode_modeinfo.clock(info),
                Short.toUnsignedInt(drm_mode_modeinfo.hdisplay(info)),
                Short.toUnsignedInt(drm_mode_modeinfo.hsync_start(info)),
                Short.toUnsignedInt(drm_mode_modeinfo.hsync_end(info)),
                Short.toUnsignedInt(drm_mode_modeinfo.htotal(info)),
                Short.toUnsignedInt(drm_mode_modeinfo.hskew(info)),
                Short.toUnsignedInt(drm_mode_modeinfo.vdisplay(info)),
                Short.toUnsignedInt(drm_mode_modeinfo.vsync_start(info)),
                Short.toUnsignedInt(drm_mode_modeinfo.vsync_end(info)),
                Short.toUnsignedInt(drm_mode_modeinfo.vtotal(info)),
                Short.toUnsignedInt(drm_mode_modeinfo.vscan(info)),
                drm_mode_modeinfo.vrefresh(info), drm_mode_modeinfo.flags(info), drm_mode_modeinfo.type(info),
                new String(name.asSlice(0, length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        StandardCharsets.US_ASCII));
    }

    /** Writes this mode as a {@code struct drm_mode_modeinfo} into {@code info} ({@link #SIZE} bytes). */
    void write(MemorySegment info) {
        info.asSlice(0, SIZE).fill((byte) 0);
        drm_mode_modeinfo.clock(info, clock);
        drm_mode_modeinfo.hdisplay(info, (short) hdisplay);
        drm_mode_modeinfo.hsync_start(info, (short) hsyncStart);
        drm_mode_modeinfo.hsync_end(info, (short) hsyncEnd);
        drm_mode_modeinfo.htotal(info, (short) htotal);
        drm_mode_modeinfo.hskew(info, (short) hskew);
        drm_mode_modeinfo.vdisplay(info, (short) vdisplay);
        drm_mode_modeinfo.vsync_start(info, (short) vsyncStart);
        drm_mode_modeinfo.vsync_end(info, (short) vsyncEnd);
        drm_mode_modeinfo.vtotal(info, (short) vtotal);
        drm_mode_modeinfo.vscan(info, (short) vscan);
        drm_mode_modeinfo.vrefresh(info, vrefresh);
        drm_mode_modeinfo.flags(info, flags);
        drm_mode_modeinfo.type(info, type);
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII); // at most NAME_LENGTH - 1: checked when made
        MemorySegment.copy(bytes, 0, drm_mode_modeinfo.name(info), java.lang.foreign.ValueLayout.JAVA_BYTE, 0,
                bytes.length);
    }

    /** E.g. {@code 1024x768@60}. */
    @Override
    public String toString() {
        return name + "@" + vrefresh + (isPreferred() ? " preferred" : "");
    }
}
