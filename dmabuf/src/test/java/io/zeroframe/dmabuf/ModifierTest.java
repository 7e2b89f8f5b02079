package io.zeroframe.dmabuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.zeroframe.bindings.testing.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Modifier values as drm_fourcc.h defines them (fourcc_mod_code(vendor, code)), written out by hand. */
@ExtendWith(NoLeaks.class)
class ModifierTest {
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
            "0x0000000000000000, LINEAR",
            "0x00ffffffffffffff, INVALID",
            "0x0100000000000001, INTEL:X_TILED",
            "0x0100000000000002, INTEL:Y_TILED",
            "0x0100000000000003, INTEL:Yf_TILED",
            "0x0100000000000004, INTEL:Y_TILED_CCS",
            "0x0100000000000006, INTEL:Y_TILED_GEN12_RC_CCS",
            "0x0100000000000009, INTEL:4_TILED",
            "0x01000000000000ff, INTEL:0xff",
            "0x0200000000000001, AMD:0x1",
            "0x0300000000000001, NVIDIA:TEGRA_TILED",
            "0x0400000000000001, SAMSUNG:64_32_TILE",
            "0x0400000000000002, SAMSUNG:16_16_TILE",
            "0x0500000000000001, QCOM:COMPRESSED",
            "0x0600000000000001, VIVANTE:TILED",
            "0x0700000000000001, BROADCOM:VC4_T_TILED",
            "0x0800000000000001, ARM:0x1",
            "0x0900000000000001, ALLWINNER:TILED",
            "0x0a00000000000001, AMLOGIC:0x1",
            "0x0000000000000005, NONE:0x5",
            "0x2a00000000000007, 0x2a:0x7",
            "0xff00000000000000, 0xff:0x0",
    })
    void decodesVendorAndName(String hex, String expected) {
        Modifier modifier = Modifier.of(Long.parseUnsignedLong(hex.substring(2), 16));
        assertEquals(expected, modifier.toString());
        assertEquals(Long.parseUnsignedLong(hex.substring(2, 4), 16), modifier.vendor());
    }

    @Test
    void specialValuesAreTheConstants() {
        assertSame(Modifier.LINEAR, Modifier.of(0));
        assertSame(Modifier.INVALID, Modifier.of(0x00ff_ffff_ffff_ffffL));
        assertEquals(0x00ff_ffff_ffff_ffffL, Modifier.INVALID.value());
        assertEquals("NONE", Modifier.INVALID.vendorName());
    }

    @Test
    void equalityIsByValue() {
        assertEquals(Modifier.of(0x0100000000000001L), Modifier.of(0x0100000000000001L));
        assertEquals(Modifier.of(0x0100000000000001L).hashCode(), Modifier.of(0x0100000000000001L).hashCode());
        assertNotEquals(Modifier.of(0x0100000000000001L), Modifier.of(0x0100000000000002L));
        assertEquals(0x42L, Modifier.of(0x0800000000000042L).code());
        assertEquals("ARM", Modifier.of(0x0800000000000042L).vendorName());
    }
}
