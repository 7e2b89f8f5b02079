package io.zeroframe.samples.info;

import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.drm.Capability;
import io.zeroframe.drm.Connector;
import io.zeroframe.drm.Crtc;
import io.zeroframe.drm.DrmDeviceInfo;
import io.zeroframe.drm.DrmFormat;
import io.zeroframe.drm.Encoder;
import io.zeroframe.drm.Mode;
import io.zeroframe.drm.ObjectId;
import io.zeroframe.drm.ObjectProperties;
import io.zeroframe.drm.Plane;
import io.zeroframe.drm.Property;
import io.zeroframe.drm.PropertyKind;
import io.zeroframe.drm.PropertyValue;
import io.zeroframe.heaps.Heaps;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code info}'s text: the {@link Survey} for people, in the order heaps, udmabuf, video nodes (each as
 * {@link io.zeroframe.v4l2.VideoNodeDescription#toString()} prints it), media devices (each graph as
 * {@link io.zeroframe.v4l2.media.MediaTopology#describe()} prints it), DRM devices (and their modesetting objects
 * with {@code --kms}). Shows only what the kernel answered.
 */
public final class TextReport {
    private TextReport() {}

    /** The whole text, lines ending in {@code \n}. */
    public static String of(Survey survey, boolean kmsAsked) {
        StringBuilder s = new StringBuilder();
        s.append("dma-heaps (").append(Heaps.DIRECTORY).append("): ")
                .append(survey.heaps().isEmpty() ? "none" : survey.heaps().size()).append('\n');
        for (Allocator heap : survey.heaps()) {
            s.append("  ").append(heap.name()).append(' ').append(Heaps.DIRECTORY.resolve(heap.name()))
                    .append(heap.contiguous() ? " (contiguous)" : "").append(": ").append(usability(heap)).append('\n');
        }
        s.append("udmabuf /dev/udmabuf: ").append(usability(survey.udmabuf())).append('\n');
        s.append("video nodes: ").append(survey.video().isEmpty() ? "none" : survey.video().size()).append('\n');
        for (Survey.VideoNode node : survey.video()) {
            node.error().ifPresent(e -> s.append(node.path()).append(": ").append(e).append('\n'));
            node.description().ifPresent(d -> s.append(d));
        }
        s.append("media devices: ").append(survey.media().isEmpty() ? "none" : survey.media().size()).append('\n');
        for (Survey.MediaNode node : survey.media()) {
            media(s, node);
        }
        s.append("DRM devices: ").append(survey.drm().isEmpty() ? "none" : survey.drm().size()).append('\n');
        for (Survey.DrmCard card : survey.drm()) {
            drm(s, card, kmsAsked);
        }
        return s.toString();
    }

    /** A media device's identity, then its graph as {@code media-ctl -p} lays it out, indented. */
    static void media(StringBuilder s, Survey.MediaNode node) {
        s.append(node.path()).append(':');
        node.info().ifPresent(info -> s.append(" driver=").append(info.driver()).append(" model=\"")
                .append(info.model()).append("\" bus=").append(info.busInfo()));
        s.append('\n');
        node.error().ifPresent(e -> s.append("  error: ").append(e).append('\n'));
        node.topology().ifPresent(graph -> graph.describe().lines()
                .forEach(line -> s.append(line.isEmpty() ? "" : "  ").append(line).append('\n')));
    }

    private static String usability(Allocator allocator) {
        return allocator.unusable().map(why -> "not usable: " + why).orElse("usable");
    }

    static void drm(StringBuilder s, Survey.DrmCard card, boolean kmsAsked) {
        s.append(card.path()).append(':');
        card.info().ifPresent(info -> identity(s, info));
        s.append('\n');
        card.error().ifPresent(e -> s.append("  error: ").append(e).append('\n'));
        card.capabilities().ifPresent(caps -> {
            s.append("  capabilities:");
            for (Capability capability : Capability.values()) {
                if (caps.reported(capability)) {
                    s.append(' ').append(capability.name()).append('=').append(caps.value(capability));
                }
            }
            s.append('\n');
        });
        if (!kmsAsked && card.error().isEmpty() && card.capabilities().isEmpty()) {
            s.append("  capabilities: unknown without --kms (no render node; only the primary node could tell)\n");
        }
        if (!kmsAsked && card.error().isEmpty()) {
            s.append("  modesetting objects: ask with --kms (opens the primary node; its first opener becomes DRM "
                    + "master)\n");
        }
        card.noKms().ifPresent(why -> s.append("  modesetting: none (").append(why).append(")\n"));
        card.kms().ifPresent(kms -> kms(s, kms));
    }

    private static void identity(StringBuilder s, DrmDeviceInfo info) {
        s.append(' ').append(info.driver());
        info.version().ifPresent(v -> s.append(" \"").append(v.description()).append("\" version ")
                .append(v.number()).append(" (").append(v.date()).append(')'));
        s.append(", ").append(info.renderNode().map(r -> "render node " + r).orElse("no render node"))
                .append(", ").append(info.sysfsDevice());
    }

    static void kms(StringBuilder s, Survey.Kms kms) {
        s.append("  client caps: ").append(kms.clientCaps().stream().sorted().map(Enum::name)
                .collect(Collectors.joining(", "))).append('\n');
        for (Connector c : kms.connectors()) {
            s.append("  connector ").append(c.id().value()).append(' ').append(c.name()).append(": ")
                    .append(c.status().name().toLowerCase()).append(", ").append(c.widthMm()).append('x')
                    .append(c.heightMm()).append(" mm");
            c.encoder().ifPresent(e -> s.append(", encoder ").append(e.value()));
            s.append(", encoders ").append(ids(c.encoders())).append(", ").append(c.modes().size())
                    .append(c.modes().size() == 1 ? " mode\n" : " modes\n");
            for (Mode mode : c.modes()) {
                s.append("    mode ").append(mode(mode)).append('\n');
            }
            properties(s, c.properties());
        }
        for (Encoder e : kms.encoders()) {
            s.append("  encoder ").append(e.id().value()).append(": type ").append(e.type());
            e.crtc().ifPresent(c -> s.append(", CRTC ").append(c.value()));
            s.append(", possible CRTCs ").append(ids(e.possibleCrtcs())).append('\n');
        }
        for (Crtc c : kms.crtcs()) {
            s.append("  CRTC ").append(c.id().value()).append(" (index ").append(c.index()).append("): ")
                    .append(c.mode().map(TextReport::mode).orElse("no mode"));
            c.framebuffer().ifPresent(f -> s.append(", framebuffer ").append(f.value()).append(" at ")
                    .append(c.x()).append(',').append(c.y()));
            s.append(", gamma size ").append(c.gammaSize()).append('\n');
            properties(s, c.properties());
        }
        for (Plane p : kms.planes()) {
            s.append("  plane ").append(p.id().value()).append(' ').append(p.type().name().toLowerCase())
                    .append(": possible CRTCs ").append(ids(p.possibleCrtcs()));
            p.crtc().ifPresent(c -> s.append(", on CRTC ").append(c.value()));
            p.framebuffer().ifPresent(f -> s.append(", framebuffer ").append(f.value()));
            s.append('\n');
            s.append("    formats: ").append(p.formats().stream().map(DrmFormat::toString)
                    .collect(Collectors.joining(" "))).append('\n');
            if (p.hasInFormats()) {
                s.append("    IN_FORMATS:");
                p.modifiers().forEach((format, modifiers) -> s.append(' ').append(format).append('=')
                        .append(modifiers.stream().map(Modifier::toString).collect(Collectors.joining("|"))));
                s.append('\n');
            }
            properties(s, p.properties());
        }
    }

    /** E.g. {@code 1024x768@60 preferred: 65000 kHz, 1024 1048 1184 1344 768 771 777 806, flags 0xa, type 0x48}. */
    static String mode(Mode m) {
        return m + ": " + m.clock() + " kHz, " + m.hdisplay() + ' ' + m.hsyncStart() + ' ' + m.hsyncEnd() + ' '
                + m.htotal() + ' ' + m.vdisplay() + ' ' + m.vsyncStart() + ' ' + m.vsyncEnd() + ' ' + m.vtotal()
                + ", flags 0x" + Integer.toHexString(m.flags()) + ", type 0x" + Integer.toHexString(m.type());
    }

    /** One line a property: {@code NAME = value (kind[, immutable][, atomic][, range][, values])}. */
    static void properties(StringBuilder s, ObjectProperties properties) {
        for (PropertyValue value : properties.byName().values()) {
            Property p = value.property();
            s.append("    ").append(p.name()).append(" = ").append(value.display()).append(" (")
                    .append(p.kind().name().toLowerCase());
            p.flags().stream().sorted().forEach(f -> s.append(", ").append(f.name().toLowerCase()));
            if (p.kind() == PropertyKind.RANGE || p.kind() == PropertyKind.SIGNED_RANGE) {
                s.append(", ").append(p.kind() == PropertyKind.RANGE ? Long.toUnsignedString(p.min()) : p.min())
                        .append("..").append(p.kind() == PropertyKind.RANGE ? Long.toUnsignedString(p.max()) : p.max());
            }
            if (p.kind() == PropertyKind.ENUM || p.kind() == PropertyKind.BITMASK) {
                s.append(", ").append(p.enums().stream().map(Property.EnumValue::name)
                        .collect(Collectors.joining("|")));
            }
            s.append(")\n");
        }
    }

    private static String ids(List<? extends ObjectId> ids) {
        return ids.stream().map(id -> Integer.toString(id.value())).collect(Collectors.joining(",", "[", "]"));
    }
}
