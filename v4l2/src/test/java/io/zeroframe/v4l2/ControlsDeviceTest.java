package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.v4l2.control.ControlFlag;
import io.zeroframe.v4l2.control.ControlInfo;
import io.zeroframe.v4l2.control.ControlType;
import io.zeroframe.v4l2.control.ControlValue;
import io.zeroframe.v4l2.control.Controls;
import io.zeroframe.v4l2.io.VideoInput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Controls of the test bed's nodes: enumeration against v4l2-ctl, and vivid's test controls read and written. */
@Tag("device")
@ExtendWith(NoLeaks.class)
class ControlsDeviceTest {
    /**
     * Every control of every video node, with its id, type, range, step, default, current value, flags,
     * dimensions and menu items, equals what {@code v4l2-ctl --list-ctrls-menus} prints.
     */
    @Test
    void everyNodeListsTheControlsV4l2CtlLists() throws Exception {
        int nodes = 0;
        int compared = 0;
        int values = 0;
        int menuItems = 0;
        for (Path node : VideoDevices.nodes()) {
            try (VideoDevice device = VideoDevice.open(node)) {
                String where = node + " (" + device.info().name() + ")";
                V4l2Ctl.ControlListing listing = V4l2Ctl.parseControls(V4l2Ctl.run(node, "--list-ctrls-menus"));
                List<ControlInfo> controls = device.controls().list();
                assertEquals(listing.headings(), controls.stream().filter(ControlInfo::isClassHeading)
                        .map(ControlInfo::name).toList(), where + " class headings");
                List<ControlInfo> shown = controls.stream()
                        .filter(c -> !c.isClassHeading() && !c.flags().contains(ControlFlag.DISABLED)).toList();
                Set<String> printed = new HashSet<>();
                listing.controls().forEach(c -> printed.add(c.key()));
                for (String failed : listing.failedNames()) {
                    // v4l2-ctl could not read it; the library can
                    ControlInfo c = device.controls().find(failed);
                    assertNotNull(device.controls().get(c), where + " " + failed);
                    printed.add(c.key());
                }
                assertEquals(printed, shown.stream().map(ControlInfo::key).collect(Collectors.toSet()), where);
                for (V4l2Ctl.Control expected : listing.controls()) {
                    ControlInfo c = device.controls().find(expected.key());
                    String what = where + " " + expected.key();
                    assertEquals(expected.id(), c.id(), what);
                    if (!expected.type().equals("unknown")) { // a type v4l2-ctl does not know: type=N below
                        assertEquals(expected.type(), V4l2Ctl.typeName(c), what + " type");
                    }
                    assertEquals(V4l2Ctl.flagBits(expected.flags()), flagBits(c), what + " flags");
                    check(expected, "type", Integer.toHexString(c.rawType()), what); // v4l2-ctl prints it in hex
                    boolean bitmask = c.type() == ControlType.BITMASK;
                    check(expected, "min", Long.toString(c.minimum()), what);
                    check(expected, "max", bitmask ? String.format("0x%08x", c.maximum()) : Long.toString(c.maximum()), what);
                    check(expected, "step", Long.toString(c.step()), what);
                    check(expected, "default", bitmask ? String.format("0x%08x", c.defaultValue())
                            : Long.toString(c.defaultValue()), what);
                    check(expected, "dims", c.dimensions().stream().map(d -> "[" + d + "]").collect(Collectors.joining()),
                            what);
                    List<String> menu = c.menu().stream().map(item -> c.type() == ControlType.INTEGER_MENU
                            ? item.index() + ": " + item.value() + String.format(" (0x%x)", item.value())
                            : item.index() + ": " + item.name()).toList();
                    assertEquals(expected.menu(), menu, what + " menu");
                    menuItems += menu.size();
                    String value = expected.fields().get("value");
                    if (value != null && !c.flags().contains(ControlFlag.VOLATILE) && !c.isWriteOnly()
                            && !value.equals("unsupported payload type")) {
                        assertEquals(value, shown(device.controls().get(c)), what + " value");
                        values++;
                    }
                    compared++;
                }
                nodes++;
            }
        }
        System.out.printf("%d nodes: %d controls, %d values, %d menu items agree with v4l2-ctl%n", nodes, compared,
                values, menuItems);
        assertTrue(compared > 150 && values > 100 && menuItems > 200, compared + " " + values + " " + menuItems);
    }

    private static void check(V4l2Ctl.Control expected, String field, String actual, String what) {
        String printed = expected.fields().get(field);
        if (printed != null) {
            assertEquals(printed, actual, what + " " + field);
        }
    }

    private static int flagBits(ControlInfo c) {
        int bits = c.unknownFlagBits();
        for (ControlFlag flag : c.flags()) {
            bits |= flag.bit();
        }
        return bits;
    }

    /** A value as v4l2-ctl prints it. */
    private static String shown(ControlValue value) {
        return switch (value) {
            case ControlValue.OfInt v -> Integer.toString(v.value());
            case ControlValue.OfLong v -> Long.toString(v.value());
            case ControlValue.OfBoolean v -> v.value() ? "1" : "0";
            case ControlValue.OfMenu v -> Integer.toString(v.index());
            case ControlValue.OfString v -> "'" + v.value() + "'";
            case ControlValue.OfBytes v when v.control().type() == ControlType.AREA -> {
                ByteBuffer b = ByteBuffer.wrap(v.bytes()).order(ByteOrder.nativeOrder());
                yield Integer.toUnsignedString(b.getInt()) + "x" + Integer.toUnsignedString(b.getInt());
            }
            case ControlValue.OfBytes v -> v.toString();
        };
    }

    /**
     * vivid gives brightness another range on each input (0..255 on the webcam, 128..383 on TV, 384..639 on HDMI):
     * after {@code setInput} the list, {@code find} and {@code describe()} report what {@code query} and v4l2-ctl
     * report, not the first input's range.
     */
    @Test
    void rangesFollowTheSelectedInput() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture())) {
            int webcam = camera.input();
            ControlInfo first = camera.controls().find("brightness");
            assertEquals(List.of(0L, 255L), List.of(first.minimum(), first.maximum()), first.toString());
            List<String> seen = new ArrayList<>();
            try {
                for (VideoInput input : camera.inputs()) {
                    camera.setInput(input.index());
                    ControlInfo queried = camera.controls().query(first.id());
                    V4l2Ctl.Control peer = V4l2Ctl.parseControls(V4l2Ctl.run(camera.path(), "--list-ctrls"))
                            .controls().stream().filter(c -> c.key().equals("brightness")).findFirst().orElseThrow();
                    String where = input.name() + ": ";
                    assertEquals(peer.fields().get("min") + ".." + peer.fields().get("max"),
                            queried.minimum() + ".." + queried.maximum(), where + "v4l2-ctl");
                    assertEquals(queried, camera.controls().find("brightness"), where + "find");
                    assertEquals(queried, camera.controls().list().stream().filter(c -> c.id() == first.id())
                            .findFirst().orElseThrow(), where + "list");
                    assertEquals(queried, camera.describe().controls().stream().filter(c -> c.id() == first.id())
                            .findFirst().orElseThrow(), where + "describe");
                    seen.add(where + queried.minimum() + ".." + queried.maximum());
                }
            } finally {
                camera.setInput(webcam);
            }
            System.out.println("brightness per input: " + seen);
            assertEquals(4, seen.stream().distinct().count(), seen.toString());
            assertEquals(first, camera.controls().find("brightness"), "back on the webcam");
        }
    }

    /**
     * Writing a control flagged {@code V4L2_CTRL_FLAG_UPDATE} can change other controls' flags: vivid's gain is
     * inactive while gain_automatic is on. The list follows.
     */
    @Test
    void flagsOtherControlsTakeFromAWriteAreListed() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture())) {
            Controls controls = camera.controls();
            assertTrue(controls.find("gain_automatic").flags().contains(ControlFlag.UPDATE));
            controls.set("gain_automatic", true);
            try {
                assertTrue(controls.find("gain").flags().contains(ControlFlag.INACTIVE), controls.find("gain").toString());
                controls.set("gain_automatic", false);
                assertEquals(controls.query(controls.find("gain").id()), controls.find("gain"));
                assertFalse(controls.find("gain").flags().contains(ControlFlag.INACTIVE), controls.find("gain").toString());
            } finally {
                controls.set("gain_automatic", true);
            }
            assertTrue(controls.find("gain").flags().contains(ControlFlag.INACTIVE), controls.find("gain").toString());
        }
    }

    @Test
    void findByKeyRealNameAndId() throws Exception {
        try (VideoDevice vivid = VideoDevice.open(FormatEnumerationDeviceTest.vivid("vivid-000-vid-cap"))) {
            Controls controls = vivid.controls();
            ControlInfo pattern = controls.find("test_pattern");
            assertEquals(pattern, controls.find("Test Pattern"));
            assertEquals(pattern, controls.find("test pattern"));
            assertEquals(pattern, controls.find(pattern.id()));
            assertEquals(ControlType.MENU, pattern.type());
            assertEquals(22, pattern.menu().size());
            assertEquals("100% Red", pattern.menuItem(7).orElseThrow().name());
            ControlInfo brightness = controls.find(0x00980900);
            assertEquals("brightness", brightness.key());
            assertEquals(brightness, controls.query(brightness.id()));
            assertEquals("limited_rgb_range_16_235", controls.find("Limited RGB Range (16-235)").key());
        }
    }

    @Test
    void integerRoundTripAndTryLeavesTheValue() throws Exception {
        Path node = FormatEnumerationDeviceTest.vivid("vivid-000-vid-cap");
        try (VideoDevice vivid = VideoDevice.open(node)) {
            Controls controls = vivid.controls();
            try {
                controls.set("brightness", 200);
                assertEquals(200, controls.getInt("brightness"));
                assertEquals("brightness: 200", V4l2Ctl.run(node, "-C", "brightness").strip()); // the kernel's state
                ControlValue tried = controls.tryValue("brightness", 17);
                assertEquals(17, ((ControlValue.OfInt) tried).value());
                assertEquals(200, controls.getInt("brightness"));
                controls.set("hue", -128);
                assertEquals(-128, controls.getLong("hue"));
            } finally {
                controls.set("brightness", 128);
                controls.set("hue", 0);
            }
        }
    }

    @Test
    void outOfRangeNamesTheControlRangeAndStepAndChangesNothing() throws Exception {
        try (VideoDevice vivid = VideoDevice.open(FormatEnumerationDeviceTest.vivid("vivid-000-vid-cap"))) {
            Controls controls = vivid.controls();
            KernelException e = assertThrows(KernelException.class, () -> controls.set("brightness", 256));
            assertEquals(Errno.ERANGE, e.errno());
            assertEquals("VIDIOC_S_EXT_CTRLS on " + vivid.path() + ": ERANGE (Numerical result out of range): control "
                    + "\"Brightness\" (brightness, 0x00980900): 256 is out of range: min 0, max 255, step 1; checked "
                    + "before the call, nothing was changed", e.getMessage());
            assertEquals(128, controls.getInt("brightness"));
            KernelException low = assertThrows(KernelException.class, () -> controls.tryValue("hue", -129));
            assertTrue(low.getMessage().startsWith("VIDIOC_TRY_EXT_CTRLS on "), low.getMessage());
            assertTrue(low.getMessage().contains("-129 is out of range: min -128, max 128, step 1"), low.getMessage());
            // atomic: one bad value and nothing changes
            assertThrows(KernelException.class, () -> controls.change().set("contrast", 10).set("saturation", 999).apply());
            assertEquals(128, controls.getInt("contrast"));
            // boolean out of range
            assertThrows(KernelException.class, () -> controls.set("horizontal_flip", 2));
            // bitmask outside its mask (0x80402010)
            KernelException mask = assertThrows(KernelException.class, () -> controls.set("bitmask", 0x1));
            assertTrue(mask.getMessage().contains("0x1 sets bits outside the mask 0x80402010"), mask.getMessage());
        }
    }

    @Test
    void atomicMultiSetAndGet() throws Exception {
        try (VideoDevice vivid = VideoDevice.open(FormatEnumerationDeviceTest.vivid("vivid-000-vid-cap"))) {
            Controls controls = vivid.controls();
            try {
                List<ControlValue> set = controls.change().set("contrast", 10).set("saturation", 20)
                        .set("horizontal_flip", true).set("test_pattern", "100% Red").apply();
                assertEquals(4, set.size());
                List<ControlValue> now = controls.get(List.of("contrast", "saturation", "horizontal_flip", "test_pattern"));
                assertEquals(10, ((ControlValue.OfInt) now.get(0)).value());
                assertEquals(20, ((ControlValue.OfInt) now.get(1)).value());
                assertTrue(((ControlValue.OfBoolean) now.get(2)).value());
                assertEquals("100% Red", ((ControlValue.OfMenu) now.get(3)).item().name());
                assertEquals(7, controls.getInt("test_pattern"));
                // the kernel refuses the whole change when one control is read-only: nothing changes
                KernelException e = assertThrows(KernelException.class, () -> controls.change().set("contrast", 99)
                        .set("read_only_integer_32_bits", 1).apply());
                assertEquals(Errno.EACCES, e.errno());
                assertTrue(e.getMessage().endsWith(": control \"Read-Only Integer 32 Bits\" (read_only_integer_32_bits, "
                        + "0x0098f90c) is read-only (V4L2_CTRL_FLAG_READ_ONLY)"), e.getMessage());
                assertEquals(10, controls.getInt("contrast"));
                List<ControlValue> tested = controls.change().set("contrast", 50).set("saturation", 60).test();
                assertEquals(50, ((ControlValue.OfInt) tested.get(0)).value());
                assertEquals(10, controls.getInt("contrast"));
            } finally {
                controls.change().set("contrast", 128).set("saturation", 128).set("horizontal_flip", false)
                        .set("test_pattern", 0).apply();
            }
        }
    }

    @Test
    void readOnlyWriteAndWriteOnlyRead() throws Exception {
        try (VideoDevice vivid = VideoDevice.open(FormatEnumerationDeviceTest.vivid("vivid-000-vid-cap"))) {
            Controls controls = vivid.controls();
            KernelException ro = assertThrows(KernelException.class, () -> controls.set("read_only_integer_32_bits", 5));
            assertEquals(Errno.EACCES, ro.errno());
            assertEquals("VIDIOC_S_EXT_CTRLS on " + vivid.path() + ": EACCES (Permission denied): control "
                    + "\"Read-Only Integer 32 Bits\" (read_only_integer_32_bits, 0x0098f90c) is read-only "
                    + "(V4L2_CTRL_FLAG_READ_ONLY)", ro.getMessage());
            KernelException wo = assertThrows(KernelException.class, () -> controls.get("button"));
            assertEquals(Errno.EACCES, wo.errno());
            assertTrue(wo.getMessage().startsWith("VIDIOC_G_EXT_CTRLS on "), wo.getMessage());
            assertTrue(wo.getMessage().endsWith("is write-only (V4L2_CTRL_FLAG_WRITE_ONLY): it cannot be read"),
                    wo.getMessage());
            controls.press("button");
        }
    }

    @Test
    void stringInteger64MenusAndBitmask() throws Exception {
        try (VideoDevice vivid = VideoDevice.open(FormatEnumerationDeviceTest.vivid("vivid-000-vid-cap"))) {
            Controls controls = vivid.controls();
            try {
                controls.set("string", "abc");
                assertEquals("abc", controls.getString("string"));
                KernelException longer = assertThrows(KernelException.class, () -> controls.set("string", "abcde"));
                assertTrue(longer.getMessage().contains("\"abcde\" has length 5, out of range: min 2, max 4, step 1"),
                        longer.getMessage());
                assertEquals("abc", controls.getString("string"));

                controls.set("integer_64_bits", Long.MIN_VALUE + 1);
                assertEquals(Long.MIN_VALUE + 1, controls.getLong("integer_64_bits"));

                controls.set("menu", "Menu Item 4");
                assertEquals(4, controls.getInt("menu"));
                assertEquals("Menu Item 4", controls.getString("menu"));
                KernelException skipped = assertThrows(KernelException.class, () -> controls.set("menu", 2));
                assertTrue(skipped.getMessage().contains("2 is not an item of the menu; items: 1 \"Menu Item 1\", "
                        + "3 \"Menu Item 3\", 4 \"Menu Item 4\""), skipped.getMessage());
                KernelException noItem = assertThrows(KernelException.class, () -> controls.set("menu", "Item 9"));
                assertTrue(noItem.getMessage().contains("has no item named \"Item 9\""), noItem.getMessage());

                controls.set("integer_menu", 5);
                ControlValue.OfMenu intMenu = assertInstanceOf(ControlValue.OfMenu.class, controls.get("integer_menu"));
                assertEquals(8, intMenu.item().value());

                controls.set("bitmask", 0x80400010L);
                assertEquals(0x80400010, controls.getInt("bitmask"));

                controls.set("boolean", false);
                assertFalse(controls.getBoolean("boolean"));
                IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                        () -> controls.set("string", 3));
                assertTrue(wrong.getMessage().contains("is V4L2_CTRL_TYPE_STRING with a payload, not a number"),
                        wrong.getMessage());
            } finally {
                controls.change().set("string", "  ").set("integer_64_bits", 0).set("menu", 3).set("integer_menu", 4)
                        .set("bitmask", 0x80002000L).set("boolean", true).apply();
            }
        }
    }

    @Test
    void arraysAndCompoundControlsAsBytes() throws Exception {
        try (VideoDevice vivid = VideoDevice.open(FormatEnumerationDeviceTest.vivid("vivid-000-vid-cap"))) {
            Controls controls = vivid.controls();
            ControlInfo u8 = controls.find("u8_2x3x4x5_array");
            assertEquals(List.of(2, 3, 4, 5), u8.dimensions());
            assertEquals(120, u8.maxElements());
            byte[] before = controls.getBytes("u8_2x3x4x5_array");
            assertEquals(120, before.length);
            assertEquals(24, before[0]); // the default of every element
            byte[] values = new byte[120];
            for (int i = 0; i < values.length; i++) {
                values[i] = (byte) (16 + i % 17);
            }
            try {
                controls.setBytes("u8_2x3x4x5_array", values);
                assertArrayEquals(values, controls.getBytes("u8_2x3x4x5_array"));
                values[7] = 33;
                KernelException e = assertThrows(KernelException.class, () -> controls.setBytes("u8_2x3x4x5_array", values));
                assertTrue(e.getMessage().contains("element 7 = 33 is out of range: min 16, max 32"), e.getMessage());
                KernelException size = assertThrows(KernelException.class,
                        () -> controls.setBytes("u8_2x3x4x5_array", new byte[119]));
                assertTrue(size.getMessage().contains("119 bytes do not fit: 120 bytes (120 elements of 1 bytes)"),
                        size.getMessage());
            } finally {
                controls.setBytes("u8_2x3x4x5_array", before);
            }
            // a compound structure: struct v4l2_area
            ByteBuffer area = ByteBuffer.wrap(controls.getBytes("area")).order(ByteOrder.nativeOrder());
            assertEquals(1000, area.getInt());
            assertEquals(2000, area.getInt());
            // a dynamic array: 1 to 100 u32 elements
            ControlInfo dynamic = controls.find("u32_dynamic_array");
            assertTrue(dynamic.flags().contains(ControlFlag.DYNAMIC_ARRAY));
            byte[] original = controls.getBytes("u32_dynamic_array");
            try {
                byte[] three = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder()).putInt(10).putInt(50).putInt(90)
                        .array();
                controls.setBytes("u32_dynamic_array", three);
                assertArrayEquals(three, controls.getBytes("u32_dynamic_array"));
                assertEquals(3, controls.query(dynamic.id()).elements());
            } finally {
                controls.setBytes("u32_dynamic_array", original);
            }
            // the array v4l2-ctl 1.22 cannot read
            assertEquals(8, controls.getBytes("s32_2_element_array").length);
        }
    }

    @Test
    void unknownNamesAreNamed() throws Exception {
        try (VideoDevice vivid = VideoDevice.open(FormatEnumerationDeviceTest.vivid("vivid-000-vid-cap"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> vivid.controls().set("brightnes", 1));
            assertTrue(e.getMessage().startsWith("no control named \"brightnes\" on " + vivid.path()
                    + " (vivid \"vivid\"); its controls: brightness, contrast, "), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> vivid.controls().find(0x12345678));
            KernelException query = assertThrows(KernelException.class, () -> vivid.controls().query(0x12345678));
            assertEquals("VIDIOC_QUERY_EXT_CTRL on " + vivid.path() + ": EINVAL (Invalid argument): querying control "
                    + "0x12345678", query.getMessage());
        }
    }

    @Test
    void codecControls() throws Exception {
        VideoDeviceInfo encoder = VideoDevices.findByDriver("vicodec").stream()
                .filter(i -> i.name().equals("stateful-encoder")).findFirst().orElseThrow();
        try (VideoDevice device = VideoDevice.open(encoder)) {
            Controls controls = device.controls();
            List<String> classes = new ArrayList<>();
            for (ControlInfo c : controls.list()) {
                if (c.isClassHeading()) {
                    classes.add(c.name());
                }
            }
            assertEquals(List.of("User Controls", "Codec Controls"), classes);
            ControlInfo gop = controls.find("video_gop_size");
            assertEquals(0x00990000, gop.controlClass());
            controls.set("video_gop_size", 16);
            assertEquals(16, controls.getInt("video_gop_size"));
            controls.set("video_gop_size", gop.defaultValue());
        }
    }
}
