package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.Commands;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.Modifier;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The library's view of a card - encoders, connectors and their modes, CRTCs, planes, formats, IN_FORMATS
 * modifiers, every property with its kind, flags, allowed values and current value (blobs byte for byte) - equals
 * what {@code modetest -M DRIVER -a} (Debian's libdrm-tests) prints for the same card, on virtio-gpu and on vkms
 * (overlay, cursor, writeback). modetest runs first (twice: see {@code compare}), while no file of this test holds the card (it would not be
 * master otherwise); the library then opens the card with modetest's client caps (universal planes, atomic: modetest
 * 2.4.114 never asks for writeback connectors).
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class ModetestDeviceTest {
    private static final List<String> ENCODER_TYPES = List.of("none", "DAC", "TMDS", "LVDS", "TVDAC", "Virtual", "DSI",
            "DPMST", "DPI");
    private static final String[] MODE_FLAGS = {"phsync", "nhsync", "pvsync", "nvsync", "interlace", "dblscan",
        "csync", "pcsync", "ncsync", "hskew", "bcast", "pixmux", "dblclk", "clkdiv2"};
    private static final String[] MODE_TYPES = {"builtin", "clock_c", "crtc_c", "preferred", "default", "userdef",
        "driver"};

    @Test
    void virtioGpuAgreesWithModetest() throws Exception {
        compare("virtio_gpu");
    }

    @Test
    void vkmsAgreesWithModetestAndAddsItsWritebackConnector() throws Exception {
        Map<String, List<String>> modetest = compare("vkms");
        try (DrmDevice card = Cards.open("vkms")) {
            List<Connector> connectors = card.connectors();
            assertEquals(modetest.keySet().stream().filter(k -> k.startsWith("connector ")).count() + 1,
                    connectors.size(), "with DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, one connector more");
            Connector writeback = connectors.getLast();
            assertEquals("Writeback-1", writeback.name());
            assertTrue(writeback.properties().get("WRITEBACK_FB_ID").isPresent());
            assertTrue(writeback.properties().get("WRITEBACK_PIXEL_FORMATS").isPresent());
        }
    }

    private static Map<String, List<String>> compare(String driver) throws Exception {
        // When the last file of a card closes, the kernel's fbdev client restores its console mode (lastclose),
        // so the state modetest finds can differ from the state it leaves: a first run settles it.
        Commands.check("modetest", "-M", driver, "-a");
        Modetest modetest = Modetest.parse(Commands.check("modetest", "-M", driver, "-a"));
        DrmDeviceInfo info = DrmDevices.findByDriver(driver).orElseThrow();
        Map<String, List<String>> ours;
        try (DrmDevice card = DrmDevice.open(info.path(), EnumSet.of(ClientCap.UNIVERSAL_PLANES, ClientCap.ATOMIC))) {
            ours = describe(card);
        }
        assertEquals(List.copyOf(modetest.facts.keySet()), List.copyOf(ours.keySet()), "objects");
        int facts = 0;
        for (String object : ours.keySet()) {
            assertEquals(String.join("\n", modetest.facts.get(object)), String.join("\n", ours.get(object)),
                    driver + " " + object);
            facts += ours.get(object).size();
        }
        System.out.printf("%s: %d objects, %d facts agree with modetest%n", driver, ours.size(), facts);
        assertTrue(facts > 50, "too few facts compared: " + facts);
        return modetest.facts;
    }

    /** The library's view, printed as {@link Modetest} normalises modetest's. */
    private static Map<String, List<String>> describe(DrmDevice card) throws Exception {
        Modetest view = new Modetest();
        Resources resources = card.resources();
        for (Encoder encoder : card.encoders()) {
            String object = "encoder " + encoder.id().value();
            view.add(object, "crtc " + encoder.crtc().map(CrtcId::value).orElse(0) + " type "
                    + ENCODER_TYPES.get(encoder.type()) + " possible crtcs " + hex(mask(resources, encoder.possibleCrtcs()))
                    + " possible clones " + hex(encoder.possibleClones()));
        }
        for (Connector connector : card.connectors()) {
            String object = "connector " + connector.id().value();
            view.add(object, "encoder " + connector.encoder().map(EncoderId::value).orElse(0) + " status "
                    + connector.status().name().toLowerCase() + " name " + connector.name() + " size "
                    + connector.widthMm() + "x" + connector.heightMm() + " modes " + connector.modes().size()
                    + " encoders " + connector.encoders().stream().map(e -> String.valueOf(e.value()))
                    .collect(Collectors.joining(" ")));
            for (Mode mode : connector.modes()) {
                view.add(object, "mode " + mode(mode));
            }
            properties(card, view, object, connector.properties(), null);
        }
        for (Crtc crtc : card.crtcs()) {
            String object = "crtc " + crtc.id().value();
            view.add(object, "fb " + crtc.framebuffer().map(FramebufferId::value).orElse(0) + " pos (" + crtc.x() + ","
                    + crtc.y() + ") size (" + crtc.mode().map(m -> m.hdisplay() + "x" + m.vdisplay()).orElse("0x0")
                    + ")");
            crtc.mode().ifPresent(m -> view.add(object, "mode " + mode(m)));
            properties(card, view, object, crtc.properties(), null);
        }
        for (Plane plane : card.planes()) {
            String object = "plane " + plane.id().value();
            view.add(object, "crtc " + plane.crtc().map(CrtcId::value).orElse(0) + " fb "
                    + plane.framebuffer().map(FramebufferId::value).orElse(0) + " possible crtcs "
                    + hex(mask(resources, plane.possibleCrtcs())));
            view.add(object, "formats " + plane.formats().stream().map(DrmFormat::toString)
                    .collect(Collectors.joining(" ")));
            properties(card, view, object, plane.properties(), plane);
        }
        return view.facts;
    }

    private static void properties(DrmDevice card, Modetest view, String object, ObjectProperties properties,
                                   Plane plane) throws Exception {
        for (PropertyValue value : properties.byName().values()) {
            Property p = value.property();
            String key = "property " + p.id().value() + " " + p.name();
            String kind = switch (p.kind()) {
                case RANGE -> "range";
                case SIGNED_RANGE -> "signed range";
                case ENUM -> "enum";
                case BITMASK -> "bitmask";
                case BLOB -> "blob";
                case OBJECT -> "object";
            };
            view.add(object, key + " flags" + (p.isImmutable() ? " immutable" : "") + " " + kind);
            switch (p.kind()) {
                case RANGE -> view.add(object, key + " values: " + Long.toUnsignedString(p.min()) + " "
                        + Long.toUnsignedString(p.max()));
                case SIGNED_RANGE -> view.add(object, key + " values: " + p.min() + " " + p.max());
                case ENUM -> view.add(object, key + " enums: " + p.enums().stream()
                        .map(e -> e.name() + "=" + e.value()).collect(Collectors.joining(" ")));
                case BITMASK -> view.add(object, key + " values: " + p.enums().stream()
                        .map(e -> e.name() + "=0x" + Long.toHexString(1L << e.value())).collect(Collectors.joining(" ")));
                default -> { }
            }
            if (p.kind() == PropertyKind.BLOB) {
                String bytes = value.value() == 0 ? "" : HexFormat.of().formatHex(card.blob(new BlobId((int) value.value())));
                view.add(object, key + " blob " + bytes);
                if (p.name().equals("IN_FORMATS") && plane != null && value.value() != 0) {
                    for (Map.Entry<DrmFormat, List<Modifier>> entry : plane.modifiers().entrySet()) {
                        view.add(object, key + " decoded " + entry.getKey() + ": " + entry.getValue().stream()
                                .map(Modifier::toString).collect(Collectors.joining(" ")));
                    }
                }
            } else {
                view.add(object, key + " value: " + (p.kind() == PropertyKind.SIGNED_RANGE ? Long.toString(value.value())
                        : Long.toUnsignedString(value.value())));
            }
        }
    }

    private static String mode(Mode m) {
        return m.name() + " " + m.hdisplay() + " " + m.hsyncStart() + " " + m.hsyncEnd() + " " + m.htotal() + " "
                + m.vdisplay() + " " + m.vsyncStart() + " " + m.vsyncEnd() + " " + m.vtotal() + " " + m.clock()
                + " flags: " + names(m.flags(), MODE_FLAGS) + "; type: " + names(m.type(), MODE_TYPES);
    }

    private static String names(int bits, String[] table) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < table.length; i++) {
            if ((bits & (1 << i)) != 0) {
                names.add(table[i]);
            }
        }
        return String.join(", ", names);
    }

    private static int mask(Resources resources, List<CrtcId> crtcs) {
        int mask = 0;
        for (CrtcId crtc : crtcs) {
            mask |= 1 << resources.crtcs().indexOf(crtc);
        }
        return mask;
    }

    private static String hex(int value) {
        return String.format("0x%08x", value);
    }
}
