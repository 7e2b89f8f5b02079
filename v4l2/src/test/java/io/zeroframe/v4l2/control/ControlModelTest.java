package io.zeroframe.v4l2.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The control description types, without devices. */
@ExtendWith(NoLeaks.class)
class ControlModelTest {
    @Test
    void keysAreV4l2CtlNames() {
        assertEquals("test_pattern", ControlInfo.key("Test Pattern"));
        assertEquals("limited_rgb_range_16_235", ControlInfo.key("Limited RGB Range (16-235)"));
        assertEquals("hdmi_000_0_is_connected_to", ControlInfo.key("HDMI 000-0 Is Connected To"));
        assertEquals("s_video_000_0_is_connected_to", ControlInfo.key("S-Video 000-0 Is Connected To"));
        assertEquals("mpeg_2_sequence_header", ControlInfo.key("MPEG-2 Sequence Header"));
        assertEquals("a_b", ControlInfo.key("  A  b  "));
    }

    @Test
    void flagsAndTypes() {
        assertEquals(EnumSet.of(ControlFlag.READ_ONLY, ControlFlag.DYNAMIC_ARRAY), ControlFlag.decode(0x0004 | 0x0800));
        assertEquals(0x10000, ControlFlag.unknownBits(0x10004));
        assertEquals(ControlType.INTEGER_MENU, ControlType.of(9));
        assertEquals(ControlType.UNKNOWN, ControlType.of(0x7777));
        assertTrue(ControlType.isCompound(0x0100));
        assertFalse(ControlType.isCompound(9));
    }

    @Test
    void payloadAndMenus() {
        ControlInfo array = new ControlInfo(0x0098f90a, "U8 2x3x4x5 Array", ControlType.U8, 0x100, 16, 32, 1, 24,
                ControlFlag.decode(0x0100), 0, 1, 120, List.of(2, 3, 4, 5), List.of());
        assertTrue(array.hasPayload());
        assertEquals(120, array.maxElements());
        assertEquals(0x00980000, array.controlClass());
        assertEquals("u8_2x3x4x5_array 0x0098f90a (u8): min=16 max=32 step=1 default=24 dims=[2, 3, 4, 5] "
                + "flags=[HAS_PAYLOAD]", array.toString());
        ControlInfo menu = new ControlInfo(0x0098f904, "Menu", ControlType.MENU, 3, 1, 4, 1, 3, EnumSet.noneOf(
                ControlFlag.class), 0, 4, 1, List.of(), List.of(new MenuItem(1, "Menu Item 1", 1),
                new MenuItem(3, "Menu Item 3", 3)));
        assertFalse(menu.hasPayload());
        assertEquals(3, menu.menuItem("menu item 3").orElseThrow().index());
        assertTrue(menu.menuItem(2).isEmpty());
        assertEquals("menu 0x0098f904 (menu): min=1 max=4 default=3", menu.toString());
    }
}
