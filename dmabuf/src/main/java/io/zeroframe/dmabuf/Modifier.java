package io.zeroframe.dmabuf;

import static io.zeroframe.bindings.drm_fourcc.drm_fourcc_h.*;

import java.util.HashMap;
import java.util.Map;

/**
 * A DRM format modifier ({@code DRM_FORMAT_MOD_*}, drm_fourcc.h): the 64-bit value that says how a buffer's pixels
 * are arranged beyond what the fourcc says (linear rows, or a vendor's tiling or compression). Its top 8 bits name
 * the vendor, the low 56 bits are the vendor's code.
 *
 * <p>Two values are special: {@link #LINEAR} (0, plain rows of {@code pitch} bytes) and {@link #INVALID}
 * ({@code 0x00ffffffffffffff}, "no explicit modifier: the driver chooses", as in ADDFB2 without
 * {@code DRM_MODE_FB_MODIFIERS}). V4L2 has no modifier field: its buffers are linear unless the fourcc itself
 * names a tiling.
 *
 * <p>Immutable; equal when the values are equal. {@link #toString()} decodes what drm_fourcc.h names:
 * "LINEAR", "INVALID", "INTEL:X_TILED", and the vendor with the code in hex otherwise ("ARM:0x...").
 *
 * {@snippet :
 * Modifier modifier = Modifier.of(valueFromInFormats);
 * if (!modifier.equals(Modifier.LINEAR)) {
 *     System.out.println("tiled: " + modifier);      // e.g. INTEL:Y_TILED
 * }
 * }
 *
 * <p>Immutable, so thread-safe.
 */
public final class Modifier {
    /** {@code DRM_FORMAT_MOD_LINEAR}: rows of {@code pitch} bytes, one after the other. */
    public static final Modifier LINEAR = new Modifier(DRM_FORMAT_MOD_LINEAR());
    /** {@code DRM_FORMAT_MOD_INVALID}: no modifier given; the layout is what the driver implies. */
    public static final Modifier INVALID = new Modifier(DRM_FORMAT_MOD_INVALID());

    private static final Map<Integer, String> VENDORS = Map.ofEntries(
            Map.entry(DRM_FORMAT_MOD_VENDOR_NONE(), "NONE"),
            Map.entry(DRM_FORMAT_MOD_VENDOR_INTEL(), "INTEL"),
            Map.entry(DRM_FORMAT_MOD_VENDOR_AMD(), "AMD"),
            Map.entry(DRM_FORMAT_MOD_VENDOR_NVIDIA(), "NVIDIA"),
            Map.entry(DRM_FORMAT_MOD_VENDOR_SAMSUNG(), "SAMSUNG"),
            Map.entry(DRM_FORMAT_MOD_VENDOR_QCOM(), "QCOM"),
            Map.entry(DRM_FORMAT_MOD_VENDOR_VIVANTE(), "VIVANTE"),
            Map.entry(DRM_FORMAT_MOD_VENDOR_BROADCOM(), "BROADCOM"),
            Map.entry(DRM_FORMAT_MOD_VENDOR_ARM(), "ARM"),
            Map.entry(DRM_FORMAT_MOD_VENDOR_ALLWINNER(), "ALLWINNER"),
            Map.entry(DRM_FORMAT_MOD_VENDOR_AMLOGIC(), "AMLOGIC"));

    /** The modifiers drm_fourcc.h names, by value; the name without the vendor prefix. */
    private static final Map<Long, String> NAMED = named();

    private final long value;

    private Modifier(long value) {
        this.value = value;
    }

    /** The modifier with this value, e.g. from a plane's {@code IN_FORMATS} blob or {@code DRM_IOCTL_MODE_GETFB2}. */
    public static Modifier of(long value) {
        if (value == LINEAR.value) {
            return LINEAR;
        }
        return value == INVALID.value ? INVALID : new Modifier(value);
    }

    /** The 64-bit value, as the kernel takes it. */
    public long value() {
        return value;
    }

    /** The vendor code, the top 8 bits ({@code DRM_FORMAT_MOD_VENDOR_*}). */
    public int vendor() {
        return (int) (value >>> 56);
    }

    /** The vendor's name as drm_fourcc.h spells it ("INTEL", "ARM"), or its code in hex ("0x2a") if unknown. */
    public String vendorName() {
        String name = VENDORS.get(vendor());
        return name != null ? name : String.format("0x%02x", vendor());
    }

    /** The vendor-specific low 56 bits. */
    public long code() {
        return value & 0x00ff_ffff_ffff_ffffL;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Modifier modifier && modifier.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    @Override
    public String toString() {
        if (value == LINEAR.value) {
            return "LINEAR";
        }
        if (value == INVALID.value) {
            return "INVALID";
        }
        String name = NAMED.get(value);
        return vendorName() + ":" + (name != null ? name : "0x" + Long.toHexString(code()));
    }

    private static Map<Long, String> named() {
        Map<Long, String> names = new HashMap<>();
        names.put(I915_FORMAT_MOD_X_TILED(), "X_TILED");
        names.put(I915_FORMAT_MOD_Y_TILED(), "Y_TILED");
        names.put(I915_FORMAT_MOD_Yf_TILED(), "Yf_TILED");
        names.put(I915_FORMAT_MOD_Y_TILED_CCS(), "Y_TILED_CCS");
        names.put(I915_FORMAT_MOD_Yf_TILED_CCS(), "Yf_TILED_CCS");
        names.put(I915_FORMAT_MOD_Y_TILED_GEN12_RC_CCS(), "Y_TILED_GEN12_RC_CCS");
        names.put(I915_FORMAT_MOD_Y_TILED_GEN12_MC_CCS(), "Y_TILED_GEN12_MC_CCS");
        names.put(I915_FORMAT_MOD_Y_TILED_GEN12_RC_CCS_CC(), "Y_TILED_GEN12_RC_CCS_CC");
        names.put(I915_FORMAT_MOD_4_TILED(), "4_TILED");
        names.put(I915_FORMAT_MOD_4_TILED_DG2_RC_CCS(), "4_TILED_DG2_RC_CCS");
        names.put(I915_FORMAT_MOD_4_TILED_DG2_MC_CCS(), "4_TILED_DG2_MC_CCS");
        names.put(I915_FORMAT_MOD_4_TILED_DG2_RC_CCS_CC(), "4_TILED_DG2_RC_CCS_CC");
        names.put(DRM_FORMAT_MOD_SAMSUNG_64_32_TILE(), "64_32_TILE");
        names.put(DRM_FORMAT_MOD_SAMSUNG_16_16_TILE(), "16_16_TILE"); // also DRM_FORMAT_MOD_GENERIC_16_16_TILE
        names.put(DRM_FORMAT_MOD_QCOM_COMPRESSED(), "COMPRESSED");
        names.put(DRM_FORMAT_MOD_QCOM_TILED3(), "TILED3");
        names.put(DRM_FORMAT_MOD_QCOM_TILED2(), "TILED2");
        names.put(DRM_FORMAT_MOD_VIVANTE_TILED(), "TILED");
        names.put(DRM_FORMAT_MOD_VIVANTE_SUPER_TILED(), "SUPER_TILED");
        names.put(DRM_FORMAT_MOD_VIVANTE_SPLIT_TILED(), "SPLIT_TILED");
        names.put(DRM_FORMAT_MOD_VIVANTE_SPLIT_SUPER_TILED(), "SPLIT_SUPER_TILED");
        names.put(DRM_FORMAT_MOD_NVIDIA_TEGRA_TILED(), "TEGRA_TILED");
        names.put(DRM_FORMAT_MOD_NVIDIA_16BX2_BLOCK_ONE_GOB(), "16BX2_BLOCK_ONE_GOB");
        names.put(DRM_FORMAT_MOD_NVIDIA_16BX2_BLOCK_TWO_GOB(), "16BX2_BLOCK_TWO_GOB");
        names.put(DRM_FORMAT_MOD_NVIDIA_16BX2_BLOCK_FOUR_GOB(), "16BX2_BLOCK_FOUR_GOB");
        names.put(DRM_FORMAT_MOD_NVIDIA_16BX2_BLOCK_EIGHT_GOB(), "16BX2_BLOCK_EIGHT_GOB");
        names.put(DRM_FORMAT_MOD_NVIDIA_16BX2_BLOCK_SIXTEEN_GOB(), "16BX2_BLOCK_SIXTEEN_GOB");
        names.put(DRM_FORMAT_MOD_NVIDIA_16BX2_BLOCK_THIRTYTWO_GOB(), "16BX2_BLOCK_THIRTYTWO_GOB");
        names.put(DRM_FORMAT_MOD_BROADCOM_VC4_T_TILED(), "VC4_T_TILED");
        names.put(DRM_FORMAT_MOD_BROADCOM_SAND32(), "SAND32");
        names.put(DRM_FORMAT_MOD_BROADCOM_SAND64(), "SAND64");
        names.put(DRM_FORMAT_MOD_BROADCOM_SAND128(), "SAND128");
        names.put(DRM_FORMAT_MOD_BROADCOM_SAND256(), "SAND256");
        names.put(DRM_FORMAT_MOD_BROADCOM_UIF(), "UIF");
        names.put(DRM_FORMAT_MOD_ARM_16X16_BLOCK_U_INTERLEAVED(), "16X16_BLOCK_U_INTERLEAVED");
        names.put(DRM_FORMAT_MOD_ALLWINNER_TILED(), "TILED");
        return Map.copyOf(names);
    }
}
