package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.drm.drm_event_vblank;
import io.zeroframe.bindings.drm.drm_h;
import io.zeroframe.bindings.drm_mode.drm_format_modifier;
import io.zeroframe.bindings.drm_mode.drm_format_modifier_blob;
import io.zeroframe.bindings.drm_mode.drm_mode_h;
import io.zeroframe.bindings.drm_mode.drm_mode_modeinfo;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.PixelFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The pure parsing and encoding of the drm module: IN_FORMATS blobs, event streams, properties, modes. */
@ExtendWith(NoLeaks.class)
class KmsParsingTest {
    private static final long INTEL_X_TILED = 0x0100000000000001L;

    /** An IN_FORMATS blob built by hand the way the kernel lays it out (create_in_format_blob). */
    private static byte[] inFormats(int[] formats, long[][] modifiers) {
        int header = 24;
        int formatsOffset = header;
        int modifiersOffset = (formatsOffset + 4 * formats.length + 7) & ~7;
        ByteBuffer blob = ByteBuffer.allocate(modifiersOffset + 24 * modifiers.length).order(ByteOrder.nativeOrder());
        blob.putInt(1).putInt(0).putInt(formats.length).putInt(formatsOffset).putInt(modifiers.length)
                .putInt(modifiersOffset);
        for (int format : formats) {
            blob.putInt(format);
        }
        blob.position(modifiersOffset);
        for (long[] modifier : modifiers) { // {mask, offset, modifier}
            blob.putLong(modifier[0]).putInt((int) modifier[1]).putInt(0).putLong(modifier[2]);
        }
        return blob.array();
    }

    @Test
    void theHeaderAndModifierLayoutsAreTheKernels() {
        assertEquals(24, drm_format_modifier_blob.sizeof());
        assertEquals(8, drm_format_modifier_blob.count_formats$offset());
        assertEquals(20, drm_format_modifier_blob.modifiers_offset$offset());
        assertEquals(24, drm_format_modifier.sizeof());
        assertEquals(8, drm_format_modifier.offset$offset());
        assertEquals(16, drm_format_modifier.modifier$offset());
        assertEquals(32, drm_event_vblank.sizeof());
        assertEquals(8, drm_event_vblank.user_data$offset());
        assertEquals(16, drm_event_vblank.tv_sec$offset());
        assertEquals(24, drm_event_vblank.sequence$offset());
        assertEquals(28, drm_event_vblank.crtc_id$offset());
    }

    @Test
    void inFormatsMapsEachFormatToTheModifiersWhoseMaskCoversIt() {
        int xr24 = PixelFormat.XRGB8888.drmFourcc();
        int ar24 = PixelFormat.ARGB8888.drmFourcc();
        int nv12 = PixelFormat.NV12.drmFourcc();
        byte[] blob = inFormats(new int[] {xr24, ar24, nv12},
                new long[][] {{0b111, 0, 0}, {0b011, 0, INTEL_X_TILED}});
        Map<DrmFormat, List<Modifier>> parsed = InFormatsBlob.parse(blob);
        assertEquals(List.of(new DrmFormat(xr24), new DrmFormat(ar24), new DrmFormat(nv12)),
                List.copyOf(parsed.keySet()));
        assertEquals(List.of(Modifier.LINEAR, Modifier.of(INTEL_X_TILED)), parsed.get(new DrmFormat(xr24)));
        assertEquals(List.of(Modifier.LINEAR), parsed.get(new DrmFormat(nv12)));
    }

    @Test
    void inFormatsMasksStartAtTheirOffset() {
        int[] formats = new int[70];
        for (int i = 0; i < formats.length; i++) {
            formats[i] = 0x20202020 + i;
        }
        // bit 0 of a mask at offset 64 is format 64; bit 5 would be format 69; bits past the end are ignored
        byte[] blob = inFormats(formats, new long[][] {{1L | (1L << 5) | (1L << 40), 64, INTEL_X_TILED}});
        Map<DrmFormat, List<Modifier>> parsed = InFormatsBlob.parse(blob);
        assertEquals(List.of(Modifier.of(INTEL_X_TILED)), parsed.get(new DrmFormat(formats[64])));
        assertEquals(List.of(Modifier.of(INTEL_X_TILED)), parsed.get(new DrmFormat(formats[69])));
        assertEquals(List.of(), parsed.get(new DrmFormat(formats[0])));
        assertEquals(70, parsed.size());
    }

    @Test
    void inFormatsRejectsShortWrongVersionAndOverflowingBlobs() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> InFormatsBlob.parse(new byte[12]))
                .getMessage().contains("shorter than its 24-byte header"));
        byte[] blob = inFormats(new int[] {1}, new long[][] {{1, 0, 0}});
        blob[0] = 0;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> InFormatsBlob.parse(blob))
                .getMessage().contains("version 0"));
        byte[] truncated = java.util.Arrays.copyOf(inFormats(new int[] {1}, new long[][] {{1, 0, 0}}), 40);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> InFormatsBlob.parse(truncated))
                .getMessage().contains("do not fit"));
    }

    /**
     * The kernel extends {@code struct drm_format_modifier_blob} compatibly (the arrays are found by their offsets):
     * a newer version with a longer header and bytes this version does not know still gives its formats and
     * modifiers (the whole blob stays readable through the plane's {@code IN_FORMATS} property and
     * {@link DrmDevice#blob}).
     */
    @Test
    void aNewerInFormatsVersionIsReadAsFarAsItIsKnown() {
        int xr24 = PixelFormat.XRGB8888.drmFourcc();
        int nv12 = PixelFormat.NV12.drmFourcc();
        int header = 40; // version 2 with 16 more header bytes
        ByteBuffer blob = ByteBuffer.allocate(header + 8 + 2 * 24 + 32).order(ByteOrder.nativeOrder());
        blob.putInt(2).putInt(0).putInt(2).putInt(header).putInt(2).putInt(header + 8);
        blob.putLong(0x1122_3344_5566_7788L).putLong(-1L); // header fields this version does not know
        blob.putInt(xr24).putInt(nv12);
        blob.putLong(0b11).putInt(0).putInt(0).putLong(0);
        blob.putLong(0b01).putInt(0).putInt(0).putLong(INTEL_X_TILED);
        blob.putLong(-1L).putLong(-1L).putLong(-1L).putLong(-1L); // a trailing array this version does not know
        Map<DrmFormat, List<Modifier>> parsed = InFormatsBlob.parse(blob.array());
        assertEquals(Map.of(new DrmFormat(xr24), List.of(Modifier.LINEAR, Modifier.of(INTEL_X_TILED)),
                new DrmFormat(nv12), List.of(Modifier.LINEAR)), parsed);
        assertEquals(List.of(new DrmFormat(xr24), new DrmFormat(nv12)), List.copyOf(parsed.keySet()));
    }

    /** {@code struct drm_mode_modeinfo} holds 16-bit sizes and a 32-byte name with its NUL: more is refused. */
    @Test
    void aModeThatDoesNotFitTheKernelStructIsRefusedNamingTheField() {
        String wide = assertThrows(IllegalArgumentException.class, () -> new Mode(65000, 70000, 1048, 1184, 1344, 0,
                768, 771, 777, 806, 0, 60, 0, 0, "wide")).getMessage();
        assertTrue(wide.contains("hdisplay 70000") && wide.contains("65535"), wide);
        String vtotal = assertThrows(IllegalArgumentException.class, () -> new Mode(65000, 1024, 1048, 1184, 1344,
                0, 768, 771, 777, 65536, 0, 60, 0, 0, "tall")).getMessage();
        assertTrue(vtotal.contains("vtotal 65536"), vtotal);
        String negative = assertThrows(IllegalArgumentException.class, () -> new Mode(65000, 1024, 1048, 1184,
                1344, -1, 768, 771, 777, 806, 0, 60, 0, 0, "skew")).getMessage();
        assertTrue(negative.contains("hskew -1"), negative);
        String name = "x".repeat(32);
        String longName = assertThrows(IllegalArgumentException.class, () -> new Mode(65000, 1024, 1048, 1184, 1344,
                0, 768, 771, 777, 806, 0, 60, 0, 0, name)).getMessage();
        assertTrue(longName.contains("name") && longName.contains("32 bytes") && longName.contains("31"), longName);
        String accented = assertThrows(IllegalArgumentException.class, () -> new Mode(65000, 1024, 1048, 1184, 1344,
                0, 768, 771, 777, 806, 0, 60, 0, 0, "1024x768é")).getMessage();
        assertTrue(accented.contains("ASCII"), accented);
        Mode longest = new Mode(65000, 65535, 1048, 1184, 65535, 0, 768, 771, 777, 806, 0, 60, 0, 0, "y".repeat(31));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(Mode.SIZE, 8);
            longest.write(info);
            assertEquals(longest, Mode.read(info));
        }
    }

    @Test
    void eventsAreParsedOneAfterAnotherFromOneRead() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(96, 8);
            // a flip-complete event, a vblank event, then an event type this version does not know
            data.set(ValueLayout.JAVA_INT, 0, drm_h.DRM_EVENT_FLIP_COMPLETE());
            data.set(ValueLayout.JAVA_INT, 4, 32);
            data.set(ValueLayout.JAVA_LONG, 8, 0x1234_5678_9abcL);
            data.set(ValueLayout.JAVA_INT, 16, 12);
            data.set(ValueLayout.JAVA_INT, 20, 345_678);
            data.set(ValueLayout.JAVA_INT, 24, 99);
            data.set(ValueLayout.JAVA_INT, 28, 41);
            data.set(ValueLayout.JAVA_INT, 32, drm_h.DRM_EVENT_VBLANK());
            data.set(ValueLayout.JAVA_INT, 36, 32);
            data.set(ValueLayout.JAVA_LONG, 40, -1L);
            data.set(ValueLayout.JAVA_INT, 56, -1); // sequence 0xffffffff is unsigned
            data.set(ValueLayout.JAVA_INT, 64, 0x8000_0010);
            data.set(ValueLayout.JAVA_INT, 68, 16);
            DrmEvent event = new DrmEvent();
            int at = DrmEvents.parse(data, 0, 80, event);
            assertEquals(32, at);
            assertEquals(DrmEvent.Kind.FLIP_COMPLETE, event.kind());
            assertEquals(0x1234_5678_9abcL, event.userData());
            assertEquals(12_345_678_000L, event.timestampNanos());
            assertEquals(99, event.sequence());
            assertEquals(41, event.crtcId());
            at += DrmEvents.parse(data, at, 80, event);
            assertEquals(DrmEvent.Kind.VBLANK, event.kind());
            assertEquals(-1L, event.userData());
            assertEquals(0xffff_ffffL, event.sequence());
            at += DrmEvents.parse(data, at, 80, event);
            assertEquals(80, at);
            assertEquals(DrmEvent.Kind.OTHER, event.kind());
            assertEquals(0x8000_0010, event.type());
            assertTrue(assertThrows(IllegalStateException.class, () -> DrmEvents.parse(data, 0, 20, new DrmEvent()))
                    .getMessage().contains("claims 32 bytes, 20 were read"));
        }
    }

    private static Property property(PropertyKind kind, long min, long max, List<Property.EnumValue> enums) {
        return new Property(new PropertyId(7), "test", kind, Set.of(), min, max, 0, enums);
    }

    @Test
    void propertiesAcceptWhatTheirKindAllows() {
        Property range = property(PropertyKind.RANGE, 0, 0xffff_ffffL, List.of());
        assertTrue(range.accepts(0xffff_ffffL));
        assertFalse(range.accepts(0x1_0000_0000L));
        assertFalse(range.accepts(-1));
        Property unsigned64 = property(PropertyKind.RANGE, 0, -1L, List.of());
        assertTrue(unsigned64.accepts(-1L));
        Property signed = property(PropertyKind.SIGNED_RANGE, -1, Integer.MAX_VALUE, List.of());
        assertTrue(signed.accepts(-1));
        assertFalse(signed.accepts(-2));
        Property enumeration = property(PropertyKind.ENUM, 0, 0,
                List.of(new Property.EnumValue("Overlay", 0), new Property.EnumValue("Primary", 1)));
        assertTrue(enumeration.accepts(1));
        assertFalse(enumeration.accepts(2));
        assertEquals("enum [Overlay=0, Primary=1]", enumeration.describeValues());
        Property bitmask = property(PropertyKind.BITMASK, 0, 0,
                List.of(new Property.EnumValue("rotate-0", 0), new Property.EnumValue("reflect-x", 4)));
        assertTrue(bitmask.accepts(0b10001));
        assertFalse(bitmask.accepts(0b10));
        Property object = property(PropertyKind.OBJECT, 0, 0, List.of());
        assertTrue(object.accepts(0));
        assertFalse(object.accepts(0x1_0000_0000L));
    }

    @Test
    void propertyKindsDecodeLegacyAndExtendedTypes() {
        assertEquals(PropertyKind.RANGE, KmsReader.kind(drm_mode_h.DRM_MODE_PROP_RANGE() | drm_mode_h.DRM_MODE_PROP_IMMUTABLE()));
        assertEquals(PropertyKind.ENUM, KmsReader.kind(drm_mode_h.DRM_MODE_PROP_ENUM()));
        assertEquals(PropertyKind.BLOB, KmsReader.kind(drm_mode_h.DRM_MODE_PROP_BLOB()));
        assertEquals(PropertyKind.BITMASK, KmsReader.kind(drm_mode_h.DRM_MODE_PROP_BITMASK()));
        assertEquals(PropertyKind.OBJECT, KmsReader.kind(drm_mode_h.DRM_MODE_PROP_OBJECT() | drm_mode_h.DRM_MODE_PROP_ATOMIC()));
        assertEquals(PropertyKind.SIGNED_RANGE, KmsReader.kind(drm_mode_h.DRM_MODE_PROP_SIGNED_RANGE()));
        assertThrows(IllegalArgumentException.class, () -> KmsReader.kind(0));
    }

    @Test
    void aModeSurvivesTheKernelStructBothWays() {
        Mode mode = new Mode(65000, 1024, 1048, 1184, 1344, 0, 768, 771, 777, 806, 0, 60, 0xa,
                drm_mode_h.DRM_MODE_TYPE_PREFERRED() | drm_mode_h.DRM_MODE_TYPE_DRIVER(), "1024x768");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = drm_mode_modeinfo.allocate(arena);
            info.fill((byte) 0x55);
            mode.write(info);
            assertEquals(68, Mode.SIZE);
            assertEquals(mode, Mode.read(info));
            assertTrue(Mode.read(info).isPreferred());
            assertEquals("1024x768@60 preferred", mode.toString());
        }
    }

    @Test
    void connectorsAreNamedAsTheKernelNamesThem() {
        assertEquals("Virtual", ConnectorType.VIRTUAL.name());
        assertEquals("Writeback", ConnectorType.WRITEBACK.name());
        assertEquals("HDMI-A", new ConnectorType(drm_mode_h.DRM_MODE_CONNECTOR_HDMIA()).name());
        assertEquals(drm_mode_h.DRM_MODE_CONNECTOR_VIRTUAL(), ConnectorType.VIRTUAL.code());
        assertEquals(drm_mode_h.DRM_MODE_CONNECTOR_WRITEBACK(), ConnectorType.WRITEBACK.code());
        assertEquals(drm_mode_h.DRM_MODE_CONNECTOR_USB(), 20);
        assertEquals("USB", new ConnectorType(20).name());
        assertEquals("Type-99", new ConnectorType(99).name());
    }

    @Test
    void idsAreTypedAndNeverZero() {
        assertEquals(ObjectType.PLANE, new PlaneId(31).type());
        assertEquals(drm_mode_h.DRM_MODE_OBJECT_PLANE(), new PlaneId(31).type().code());
        assertFalse(new PlaneId(31).equals(new CrtcId(31)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new CrtcId(0)).getMessage()
                .contains("CRTC id 0 is not an object"));
        assertEquals("XR24", DrmFormat.of(PixelFormat.XRGB8888).toString());
        assertEquals("XR48", DrmFormat.of("XR48").toString());
        assertTrue(DrmFormat.of("XR48").pixelFormat().isEmpty());
    }

    @Test
    void commitFlagsAreTheKernelsBits() {
        assertEquals(drm_mode_h.DRM_MODE_ATOMIC_TEST_ONLY() | drm_mode_h.DRM_MODE_PAGE_FLIP_EVENT(),
                CommitFlag.bits(java.util.EnumSet.of(CommitFlag.TEST_ONLY, CommitFlag.PAGE_FLIP_EVENT)));
        assertEquals(0x100 | 0x200 | 0x400 | 0x01 | 0x02, CommitFlag.bits(java.util.EnumSet.allOf(CommitFlag.class)));
    }
}
