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
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.Fraction;
import io.zeroframe.v4l2.QueueInfo;
import io.zeroframe.v4l2.StreamParameters;
import io.zeroframe.v4l2.VideoDeviceInfo;
import io.zeroframe.v4l2.VideoNodeDescription;
import io.zeroframe.v4l2.control.ControlInfo;
import io.zeroframe.v4l2.control.ControlValue;
import io.zeroframe.v4l2.control.MenuItem;
import io.zeroframe.v4l2.format.FormatDescription;
import io.zeroframe.v4l2.format.FormatOffer;
import io.zeroframe.v4l2.format.FrameIntervals;
import io.zeroframe.v4l2.format.FrameSize;
import io.zeroframe.v4l2.format.FrameSizes;
import io.zeroframe.v4l2.io.VideoInput;
import io.zeroframe.v4l2.io.VideoOutput;
import io.zeroframe.v4l2.media.MediaDeviceInfo;
import io.zeroframe.v4l2.media.MediaEntity;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code info --json}: a {@link Survey} as a tree of maps and lists (written with jackson-jr). The structure is
 * stable: fields are added, never renamed or removed, within one {@code "format"} number. Only what the kernel
 * answered is there: a field the driver did not report is absent, never guessed.
 *
 * <pre>
 * { "format": 1,
 *   "heaps":   [ {"name", "path", "usable", "contiguous", "unusable"?} ],
 *   "udmabuf": {"path", "usable", "unusable"?},
 *   "video":   [ {"path", "error"?, "driver", "card", "name", "busInfo", "version" ("6.12.95"), "capabilities" [],
 *                 "unknownCapabilityBits", "inputs" [{"index", "name", "type", "selected"}], "outputs" [same],
 *                 "queues" [{"type" ("VIDEO_CAPTURE"), "kernelName", "memory" [] (V4L2_BUF_CAP_* names)?,
 *                            "maxBuffers"?, "createBuffers"?, "timePerFrame" {"numerator", "denominator"}?,
 *                            "timePerFrameSettable"?,
 *                            "formats" [{"fourcc", "description", "flags" [], "pixelFormat"?,
 *                                        "sizes" {"kind": "discrete", "sizes" [{"width", "height",
 *                                                   "intervals" {"kind", "intervals" [fraction]} }]}
 *                                              | {"kind": "stepwise", "min", "max", "stepWidth", "stepHeight"}
 *                                              | {"kind": "continuous", "min", "max"} }]}],
 *                 "controls" [{"id", "key", "name", "type", "classHeading"?, "minimum", "maximum", "step",
 *                              "default", "flags" [], "value"?, "valueName"? (menus), "menu" [{"index", "name",
 *                              "value"}]?}] } ],
 *   "drm":     [ {"path", "error"?, "renderNode"?, "driver", "version" {"name", "description", "date", "major",
 *                 "minor", "patch"}?, "sysfsDevice", "capabilities" {"DUMB_BUFFER": 1, ...}?,
 *                 "noKms" (with --kms, a device without modesetting: the refusal)?,
 *                 "kms" (only with --kms) {"clientCaps" [], "connectors" [{"id", "name", "type", "status",
 *                   "widthMm", "heightMm", "encoder"?, "encoders" [], "modes" [mode], "properties" {}}],
 *                   "encoders" [{"id", "type", "crtc"?, "possibleCrtcs" []}],
 *                   "crtcs" [{"id", "index", "framebuffer"?, "x", "y", "mode"?, "gammaSize", "properties" {}}],
 *                   "planes" [{"id", "type", "possibleCrtcs" [], "crtc"?, "framebuffer"?, "formats" [],
 *                              "modifiers" {"XR24": ["LINEAR"]} (IN_FORMATS)?, "properties" {}}]} } ],
 *   "media":   [ {"path", "error"?, "driver", "model", "serial", "busInfo", "mediaVersion",
 *                 "entities" [{"id", "name", "function", "flags" [], "node"?, "pads" [{"index", "flags" []}]}],
 *                 "links" [{"source" "\"entity\":pad", "sink", "flags" []}] (data links),
 *                 "dot" (the graph as media-ctl --print-dot writes it)} ] }
 * mode:     {"name", "refresh", "clock", "hdisplay", "hsyncStart", "hsyncEnd", "htotal", "hskew", "vdisplay",
 *            "vsyncStart", "vsyncEnd", "vtotal", "vscan", "flags", "type", "preferred"}
 * property: "NAME": {"id", "kind", "flags" [], "value" (the raw 64-bit value, unsigned), "text" (an enum's name),
 *            "min"/"max" (ranges)?, "values" [names] (enums, bitmasks)?}
 * </pre>
 */
public final class JsonReport {
    /** The structure's version: bumped only if a field changes meaning or goes away. */
    public static final int FORMAT = 1;

    private JsonReport() {}

    /** The document for {@code survey}. */
    public static Map<String, Object> of(Survey survey) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", FORMAT);
        doc.put("heaps", survey.heaps().stream().map(JsonReport::heap).toList());
        Map<String, Object> udmabuf = new LinkedHashMap<>();
        udmabuf.put("path", "/dev/udmabuf");
        udmabuf.put("usable", survey.udmabuf().usable());
        survey.udmabuf().unusable().ifPresent(why -> udmabuf.put("unusable", why));
        doc.put("udmabuf", udmabuf);
        doc.put("video", survey.video().stream().map(JsonReport::video).toList());
        doc.put("drm", survey.drm().stream().map(JsonReport::drm).toList());
        doc.put("media", survey.media().stream().map(JsonReport::media).toList());
        return doc;
    }

    private static Map<String, Object> media(Survey.MediaNode node) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", node.path().toString());
        node.error().ifPresent(e -> m.put("error", e));
        node.info().ifPresent(info -> {
            m.put("driver", info.driver());
            m.put("model", info.model());
            m.put("serial", info.serial());
            m.put("busInfo", info.busInfo());
            m.put("mediaVersion", MediaDeviceInfo.versionString(info.mediaVersion()));
        });
        node.topology().ifPresent(graph -> {
            List<Map<String, Object>> entities = new ArrayList<>();
            for (MediaEntity entity : graph.entities()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("id", entity.id().value());
                e.put("name", entity.name());
                e.put("function", entity.function().name());
                e.put("flags", entity.flags().stream().map(Enum::name).toList());
                graph.node(entity.id()).ifPresent(path -> e.put("node", path.toString()));
                e.put("pads", graph.pads(entity.id()).stream().map(pad -> {
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("index", pad.index());
                    p.put("flags", pad.flags().stream().map(Enum::name).toList());
                    return p;
                }).toList());
                entities.add(e);
            }
            m.put("entities", entities);
            m.put("links", graph.dataLinks().stream().map(link -> {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("source", graph.padName(link.sourcePad()));
                l.put("sink", graph.padName(link.sinkPad()));
                l.put("flags", link.flags().stream().map(Enum::name).toList());
                return l;
            }).toList());
            m.put("dot", graph.toDot());
        });
        return m;
    }

    static Map<String, Object> heap(Allocator heap) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", heap.name());
        m.put("path", Heaps.DIRECTORY.resolve(heap.name()).toString());
        m.put("usable", heap.usable());
        m.put("contiguous", heap.contiguous());
        heap.unusable().ifPresent(why -> m.put("unusable", why));
        return m;
    }

    static Map<String, Object> video(Survey.VideoNode node) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", node.path().toString());
        node.error().ifPresent(e -> m.put("error", e));
        node.description().ifPresent(d -> describe(d, m));
        return m;
    }

    private static void describe(VideoNodeDescription d, Map<String, Object> m) {
        VideoDeviceInfo info = d.info();
        m.put("driver", info.driver());
        m.put("card", info.card());
        m.put("name", info.name());
        m.put("busInfo", info.busInfo());
        m.put("version", (info.version() >>> 16) + "." + (info.version() >>> 8 & 0xff) + "." + (info.version() & 0xff));
        m.put("capabilities", names(info.deviceCapabilities()));
        m.put("unknownCapabilityBits", info.unknownCapabilityBits());
        List<Object> inputs = new ArrayList<>();
        for (VideoInput in : d.inputs()) {
            inputs.add(io(in.index(), in.name(), in.type(), in.index() == d.currentInput()));
        }
        m.put("inputs", inputs);
        List<Object> outputs = new ArrayList<>();
        for (VideoOutput out : d.outputs()) {
            outputs.add(io(out.index(), out.name(), out.type(), out.index() == d.currentOutput()));
        }
        m.put("outputs", outputs);
        List<Object> queues = new ArrayList<>();
        for (Map.Entry<BufferType, List<FormatOffer>> queue : d.formats().entrySet()) {
            queues.add(queue(queue.getKey(), queue.getValue(), d.queues().get(queue.getKey()),
                    d.parameters().get(queue.getKey())));
        }
        m.put("queues", queues);
        m.put("controls", d.controls().stream().map(c -> control(c, d.values().get(c.id()))).toList());
    }

    private static Map<String, Object> io(int index, String name, int type, boolean selected) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", index);
        m.put("name", name);
        m.put("type", type);
        m.put("selected", selected);
        return m;
    }

    static Map<String, Object> queue(BufferType type, List<FormatOffer> offers, QueueInfo info,
                                     StreamParameters parameters) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type.name());
        m.put("kernelName", type.kernelName());
        if (info != null) {
            m.put("memory", names(info.capabilities()));
            m.put("maxBuffers", info.maxBuffers());
            m.put("createBuffers", info.createBuffers());
        }
        if (parameters != null && parameters.timePerFrame().denominator() != 0) {
            m.put("timePerFrame", fraction(parameters.timePerFrame()));
            m.put("timePerFrameSettable", parameters.timePerFrameSettable());
        }
        m.put("formats", offers.stream().map(JsonReport::format).toList());
        return m;
    }

    static Map<String, Object> format(FormatOffer offer) {
        FormatDescription f = offer.format();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fourcc", f.fourcc().toString());
        m.put("description", f.description());
        m.put("flags", names(f.flags()));
        f.pixelFormat().ifPresent(p -> m.put("pixelFormat", p.toString()));
        Map<String, Object> sizes = new LinkedHashMap<>();
        switch (offer.sizes()) {
            case FrameSizes.Discrete d -> {
                sizes.put("kind", "discrete");
                List<Object> list = new ArrayList<>();
                for (FrameSize size : d.sizes()) {
                    Map<String, Object> s = size(size);
                    s.put("intervals", intervals(offer.intervalsAt(size)));
                    list.add(s);
                }
                sizes.put("sizes", list);
            }
            case FrameSizes.Stepwise s -> {
                sizes.put("kind", "stepwise");
                sizes.put("min", size(s.min()));
                sizes.put("max", size(s.max()));
                sizes.put("stepWidth", s.stepWidth());
                sizes.put("stepHeight", s.stepHeight());
            }
            case FrameSizes.Continuous c -> {
                sizes.put("kind", "continuous");
                sizes.put("min", size(c.min()));
                sizes.put("max", size(c.max()));
            }
        }
        m.put("sizes", sizes);
        return m;
    }

    private static Map<String, Object> intervals(FrameIntervals intervals) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (intervals) {
            case FrameIntervals.Discrete d -> {
                m.put("kind", "discrete");
                m.put("intervals", d.intervals().stream().map(JsonReport::fraction).toList());
            }
            case FrameIntervals.Stepwise s -> {
                m.put("kind", "stepwise");
                m.put("min", fraction(s.min()));
                m.put("max", fraction(s.max()));
                m.put("step", fraction(s.step()));
            }
            case FrameIntervals.Continuous c -> {
                m.put("kind", "continuous");
                m.put("min", fraction(c.min()));
                m.put("max", fraction(c.max()));
            }
        }
        return m;
    }

    static Map<String, Object> control(ControlInfo c, ControlValue value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("key", c.key());
        m.put("name", c.name());
        m.put("type", c.type().name());
        if (c.isClassHeading()) {
            m.put("classHeading", true);
            return m;
        }
        m.put("minimum", c.minimum());
        m.put("maximum", c.maximum());
        m.put("step", c.step());
        m.put("default", c.defaultValue());
        m.put("flags", names(c.flags()));
        if (value != null) {
            switch (value) {
                case ControlValue.OfInt v -> m.put("value", v.value());
                case ControlValue.OfLong v -> m.put("value", v.value());
                case ControlValue.OfBoolean v -> m.put("value", v.value());
                case ControlValue.OfMenu v -> {
                    m.put("value", v.index());
                    m.put("valueName", v.item().name());
                }
                case ControlValue.OfString v -> m.put("value", v.value());
                case ControlValue.OfBytes v -> m.put("value", HexFormat.of().formatHex(v.bytes()));
            }
        }
        if (!c.menu().isEmpty()) {
            List<Object> menu = new ArrayList<>();
            for (MenuItem item : c.menu()) {
                Map<String, Object> i = new LinkedHashMap<>();
                i.put("index", item.index());
                i.put("name", item.name());
                i.put("value", item.value());
                menu.add(i);
            }
            m.put("menu", menu);
        }
        return m;
    }

    static Map<String, Object> drm(Survey.DrmCard card) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", card.path().toString());
        card.error().ifPresent(e -> m.put("error", e));
        card.info().ifPresent(info -> info(info, m));
        card.capabilities().ifPresent(caps -> {
            Map<String, Object> values = new LinkedHashMap<>();
            for (Capability capability : Capability.values()) {
                if (caps.reported(capability)) {
                    values.put(capability.name(), caps.value(capability));
                }
            }
            m.put("capabilities", values);
        });
        card.kms().ifPresent(kms -> m.put("kms", kms(kms)));
        card.noKms().ifPresent(why -> m.put("noKms", why));
        return m;
    }

    private static void info(DrmDeviceInfo info, Map<String, Object> m) {
        info.renderNode().ifPresent(r -> m.put("renderNode", r.toString()));
        m.put("driver", info.driver());
        info.version().ifPresent(v -> {
            Map<String, Object> version = new LinkedHashMap<>();
            version.put("name", v.name());
            version.put("description", v.description());
            version.put("date", v.date());
            version.put("major", v.major());
            version.put("minor", v.minor());
            version.put("patch", v.patch());
            m.put("version", version);
        });
        m.put("sysfsDevice", info.sysfsDevice().toString());
    }

    static Map<String, Object> kms(Survey.Kms kms) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clientCaps", names(kms.clientCaps()));
        m.put("connectors", kms.connectors().stream().map(JsonReport::connector).toList());
        m.put("encoders", kms.encoders().stream().map(JsonReport::encoder).toList());
        m.put("crtcs", kms.crtcs().stream().map(JsonReport::crtc).toList());
        m.put("planes", kms.planes().stream().map(JsonReport::plane).toList());
        return m;
    }

    static Map<String, Object> connector(Connector c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id().value());
        m.put("name", c.name());
        m.put("type", c.type().name());
        m.put("status", c.status().name());
        m.put("widthMm", c.widthMm());
        m.put("heightMm", c.heightMm());
        c.encoder().ifPresent(e -> m.put("encoder", e.value()));
        m.put("encoders", ids(c.encoders()));
        m.put("modes", c.modes().stream().map(JsonReport::mode).toList());
        m.put("properties", properties(c.properties()));
        return m;
    }

    static Map<String, Object> encoder(Encoder e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id().value());
        m.put("type", e.type());
        e.crtc().ifPresent(c -> m.put("crtc", c.value()));
        m.put("possibleCrtcs", ids(e.possibleCrtcs()));
        return m;
    }

    static Map<String, Object> crtc(Crtc c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id().value());
        m.put("index", c.index());
        c.framebuffer().ifPresent(f -> m.put("framebuffer", f.value()));
        m.put("x", c.x());
        m.put("y", c.y());
        c.mode().ifPresent(mode -> m.put("mode", mode(mode)));
        m.put("gammaSize", c.gammaSize());
        m.put("properties", properties(c.properties()));
        return m;
    }

    static Map<String, Object> plane(Plane p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id().value());
        m.put("type", p.type().name());
        m.put("possibleCrtcs", ids(p.possibleCrtcs()));
        p.crtc().ifPresent(c -> m.put("crtc", c.value()));
        p.framebuffer().ifPresent(f -> m.put("framebuffer", f.value()));
        m.put("formats", p.formats().stream().map(DrmFormat::toString).toList());
        if (p.hasInFormats()) {
            Map<String, Object> modifiers = new LinkedHashMap<>();
            p.modifiers().forEach((format, list) ->
                    modifiers.put(format.toString(), list.stream().map(Modifier::toString).toList()));
            m.put("modifiers", modifiers);
        }
        m.put("properties", properties(p.properties()));
        return m;
    }

    static Map<String, Object> mode(Mode mode) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", mode.name());
        m.put("refresh", mode.vrefresh());
        m.put("clock", mode.clock());
        m.put("hdisplay", mode.hdisplay());
        m.put("hsyncStart", mode.hsyncStart());
        m.put("hsyncEnd", mode.hsyncEnd());
        m.put("htotal", mode.htotal());
        m.put("hskew", mode.hskew());
        m.put("vdisplay", mode.vdisplay());
        m.put("vsyncStart", mode.vsyncStart());
        m.put("vsyncEnd", mode.vsyncEnd());
        m.put("vtotal", mode.vtotal());
        m.put("vscan", mode.vscan());
        m.put("flags", mode.flags());
        m.put("type", mode.type());
        m.put("preferred", mode.isPreferred());
        return m;
    }

    static Map<String, Object> properties(ObjectProperties properties) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (PropertyValue value : properties.byName().values()) {
            Property p = value.property();
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("id", p.id().value());
            v.put("kind", p.kind().name());
            v.put("flags", names(p.flags()));
            v.put("value", value.value() >= 0 ? (Object) value.value()
                    : new BigInteger(Long.toUnsignedString(value.value())));
            v.put("text", value.display());
            if (p.kind() == PropertyKind.RANGE || p.kind() == PropertyKind.SIGNED_RANGE) {
                v.put("min", p.min());
                v.put("max", p.max());
            }
            if (p.kind() == PropertyKind.ENUM || p.kind() == PropertyKind.BITMASK) {
                v.put("values", p.enums().stream().map(Property.EnumValue::name).toList());
            }
            m.put(p.name(), v);
        }
        return m;
    }

    private static Map<String, Object> size(FrameSize size) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("width", size.width());
        m.put("height", size.height());
        return m;
    }

    private static Map<String, Object> fraction(Fraction f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("numerator", f.numerator());
        m.put("denominator", f.denominator());
        return m;
    }

    private static List<Integer> ids(List<? extends ObjectId> ids) {
        return ids.stream().map(ObjectId::value).toList();
    }

    private static List<String> names(Collection<? extends Enum<?>> values) {
        return values.stream().sorted(Comparator.comparingInt(Enum::ordinal)).map(Enum::name).toList();
    }
}
