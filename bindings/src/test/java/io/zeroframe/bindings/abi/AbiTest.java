package io.zeroframe.bindings.abi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zeroframe.bindings.testing.Commands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.UnionLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Proves that the committed jextract bindings match the C ABI of the headers they were generated from: the test bed
 * kernel's uAPI headers (linux-libc-dev of the version pinned in {@code scripts/testbed/uapi.pins}, unpacked into the
 * test-bed cache by {@code scripts/testbed/uapi-headers}, which {@code scripts/test} runs first) and this machine's
 * glibc and libdrm headers.
 *
 * <p>Everything compared is enumerated from the generated code: every package
 * {@code io.zeroframe.bindings.<name>} that contains a header class {@code <name>_h} is a generated package;
 * every top-level class in it with a static {@code layout()} returning a {@link GroupLayout} is a struct or
 * union; every public static no-argument method of the header class returning {@code int}, {@code long} or
 * {@code MemorySegment} is a macro or enum constant. The C side is a program written at test time that
 * includes the headers listed in {@code bindings/jextract/<name>.args} (the same ones jextract read: {@code <...>}
 * from the pinned uAPI headers, absolute paths from this machine), compiled with gcc and run once.
 *
 * <p>Per struct: {@code sizeof}, {@code _Alignof}, and for every named field (descending into named nested
 * structs/unions, anonymous members and the first element of arrays of structs) its {@code offsetof} and
 * {@code sizeof}. Per constant: its {@code sizeof} in C against the width of the Java type, and its bit
 * pattern (strings: their bytes).
 *
 * <p>Deliberately not compared: padding layouts (jextract's own filler, no C name); the offset/size of
 * anonymous members as a whole (C cannot name them; their members are compared at their C names); the
 * sizeof of flexible array members (incomplete in C; their offset is compared). One tolerance: a struct that
 * is {@code __attribute__((packed))} in C (alignment 1) may have a stricter alignment in Java, because jextract
 * does not propagate packing into nested unions (five V4L2 structs, e.g. {@code v4l2_querymenu}).
 */
class AbiTest {

    private static final String ROOT_PACKAGE = "io.zeroframe.bindings";
    private static final int MIN_STRUCTS = 40;
    private static final int MIN_CONSTANTS = 60;

    private static final List<GeneratedPackage> PACKAGES = GeneratedPackage.scan();
    private static final Lazy<CValues> C_VALUES = new Lazy<>(() -> CValues.compute(PACKAGES));

    /** Fails the whole class at once, naming the step to run, when the pinned uAPI headers are not unpacked. */
    @BeforeAll
    static void pinnedKernelHeadersArePresent() {
        UapiHeaders.find();
    }

    @Test
    void generatedCodeIsFound() {
        long structs = PACKAGES.stream().mapToLong(p -> p.structs().size()).sum();
        long constants = PACKAGES.stream().mapToLong(p -> p.constants().size()).sum();
        assertTrue(structs >= MIN_STRUCTS && constants >= MIN_CONSTANTS,
                "expected at least " + MIN_STRUCTS + " structs and " + MIN_CONSTANTS + " constants in "
                        + PACKAGES.stream().map(GeneratedPackage::name).toList() + ", found " + structs
                        + " structs and " + constants + " constants");
    }

    /**
     * The media controller and sub-device packages are among those compared, with the structs and requests
     * {@code io.zeroframe.v4l2.media} passes to the kernel: a dropped args file or include line fails here rather
     * than leaving them unchecked.
     */
    @Test
    void mediaControllerAndSubDeviceBindingsAreCompared() {
        Map<String, GeneratedPackage> byName = new TreeMap<>();
        PACKAGES.forEach(p -> byName.put(p.name(), p));
        assertNames(byName, "media", List.of("struct media_device_info", "struct media_v2_topology",
                "struct media_v2_entity", "struct media_v2_interface", "struct media_v2_pad", "struct media_v2_link",
                "struct media_link_desc", "struct media_pad_desc"), List.of("MEDIA_IOC_DEVICE_INFO",
                "MEDIA_IOC_G_TOPOLOGY", "MEDIA_IOC_SETUP_LINK", "MEDIA_LNK_FL_IMMUTABLE", "MEDIA_PAD_FL_SOURCE",
                "MEDIA_ENT_F_CAM_SENSOR", "MEDIA_INTF_T_V4L_SUBDEV"));
        assertNames(byName, "v4l2_subdev", List.of("struct v4l2_mbus_framefmt", "struct v4l2_subdev_capability",
                "struct v4l2_subdev_format", "struct v4l2_subdev_mbus_code_enum", "struct v4l2_subdev_frame_size_enum",
                "struct v4l2_subdev_frame_interval", "struct v4l2_subdev_frame_interval_enum",
                "struct v4l2_subdev_selection"), List.of("VIDIOC_SUBDEV_QUERYCAP", "VIDIOC_SUBDEV_ENUM_MBUS_CODE",
                "VIDIOC_SUBDEV_ENUM_FRAME_SIZE", "VIDIOC_SUBDEV_ENUM_FRAME_INTERVAL", "VIDIOC_SUBDEV_G_FMT",
                "VIDIOC_SUBDEV_S_FMT", "VIDIOC_SUBDEV_G_SELECTION", "VIDIOC_SUBDEV_S_SELECTION",
                "VIDIOC_SUBDEV_G_FRAME_INTERVAL", "VIDIOC_SUBDEV_S_FRAME_INTERVAL", "V4L2_SUBDEV_FORMAT_TRY",
                "V4L2_SUBDEV_FORMAT_ACTIVE", "MEDIA_BUS_FMT_SRGGB8_1X8", "MEDIA_BUS_FMT_RGB888_1X24"));
    }

    private static void assertNames(Map<String, GeneratedPackage> packages, String name, List<String> structs,
                                    List<String> constants) {
        GeneratedPackage pkg = packages.get(name);
        assertTrue(pkg != null, "no generated package " + name + " among " + packages.keySet());
        Set<String> haveStructs = new LinkedHashSet<>(pkg.structs().stream().map(Struct::cType).toList());
        Set<String> haveConstants = new LinkedHashSet<>(pkg.constants().stream().map(Constant::name).toList());
        List<String> missing = new ArrayList<>();
        structs.stream().filter(s -> !haveStructs.contains(s)).forEach(missing::add);
        constants.stream().filter(c -> !haveConstants.contains(c)).forEach(missing::add);
        assertTrue(missing.isEmpty(), name + " lacks " + missing);
    }

    @TestFactory
    Stream<DynamicNode> structLayoutsMatchGcc() {
        return PACKAGES.stream().map(pkg -> DynamicContainer.dynamicContainer(pkg.name(),
                pkg.structs().stream().map(s -> DynamicTest.dynamicTest(s.cType(), () -> checkStruct(s)))));
    }

    @TestFactory
    Stream<DynamicNode> constantsMatchGcc() {
        return PACKAGES.stream().map(pkg -> DynamicContainer.dynamicContainer(pkg.name(),
                pkg.constants().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> checkConstant(c)))));
    }

    private static void checkStruct(Struct s) {
        CValues c = C_VALUES.get();
        List<String> mismatches = new ArrayList<>();
        compare(mismatches, s.cType() + ": sizeof", s.layout().byteSize(), c.get("S " + s.cType() + " size"));
        long cAlign = Long.parseUnsignedLong(c.get("S " + s.cType() + " align"));
        long javaAlign = s.layout().byteAlignment();
        // __attribute__((packed)) structs (C alignment 1): jextract aligns their direct members to 1 but not
        // the members of nested unions/structs, so Java keeps a natural, stricter alignment. Offsets and sizes
        // still must match exactly; Java memory is merely over-aligned. Any other difference fails.
        if (javaAlign != cAlign && !(cAlign == 1 && javaAlign > cAlign)) {
            mismatches.add(s.cType() + ": _Alignof Java " + javaAlign + ", C " + cAlign);
        }
        for (Field f : s.fields()) {
            String key = "F " + s.cType() + " " + f.path();
            compare(mismatches, s.cType() + "." + f.path() + ": offsetof", f.offset(), c.get(key + " offset"));
            if (!f.flexible()) {
                compare(mismatches, s.cType() + "." + f.path() + ": sizeof", f.size(), c.get(key + " size"));
            }
        }
        if (!mismatches.isEmpty()) {
            fail(s.javaClass() + " does not match gcc:\n  " + String.join("\n  ", mismatches));
        }
    }

    private static void compare(List<String> mismatches, String what, long java, String cValue) {
        long c = Long.parseUnsignedLong(cValue);
        if (java != c) {
            mismatches.add(what + " Java " + java + ", C " + c);
        }
    }

    private static void checkConstant(Constant k) throws Throwable {
        CValues c = C_VALUES.get();
        Object value = k.value();
        if (value instanceof MemorySegment string) {
            String java = string.getString(0, StandardCharsets.UTF_8);
            String cHex = c.get("T " + k.name());
            String cString = new String(HexFormat.of().parseHex(cHex), StandardCharsets.UTF_8);
            assertEquals(cString, java, k.javaName() + ": Java \"" + java + "\", C \"" + cString + "\"");
            return;
        }
        long javaBits = ((Number) value).longValue();
        int javaWidth = value instanceof Integer ? Integer.BYTES : Long.BYTES;
        long cWidth = Long.parseLong(c.get("C " + k.name() + " size"));
        long cBits = Long.parseUnsignedLong(c.get("C " + k.name() + " value"));
        long mask = javaWidth == Long.BYTES ? -1L : (1L << (8 * javaWidth)) - 1;
        if (cWidth != javaWidth || (javaBits & mask) != (cBits & mask)) {
            fail(k.javaName() + ": Java " + value.getClass().getSimpleName().toLowerCase() + " "
                    + Long.toUnsignedString(javaBits & mask) + " (0x" + Long.toHexString(javaBits & mask)
                    + "), C " + cWidth + "-byte " + Long.toUnsignedString(cBits & mask(cWidth)) + " (0x"
                    + Long.toHexString(cBits & mask(cWidth)) + ")");
        }
    }

    private static long mask(long width) {
        return width >= 8 ? -1L : (1L << (8 * width)) - 1;
    }

    // ---------------------------------------------------------------- the Java side

    /** A named member; {@code flexible} for a C99 flexible array member (jextract: a 0-element sequence). */
    record Field(String path, long offset, long size, boolean flexible) {}

    record Struct(String javaClass, String cType, GroupLayout layout, List<Field> fields) {

        static Struct of(Class<?> cls, GroupLayout layout) {
            String keyword = layout instanceof UnionLayout ? "union " : "struct ";
            String name = layout.name().orElseThrow(() -> new AssertionError(cls + ".layout() has no name"));
            List<Field> fields = new ArrayList<>();
            collect(layout, "", 0, fields);
            // a typedef of an anonymous struct (__kernel_fsid_t) has no tag: C knows it by the typedef name,
            // which jextract gives the class
            String cType = name.startsWith("$anon") ? cls.getSimpleName() : keyword + name;
            return new Struct(cls.getName(), cType, layout, List.copyOf(fields));
        }

        /** Walks a group the way C lays it out; anonymous members are flattened as C names them. */
        private static void collect(GroupLayout group, String prefix, long base, List<Field> out) {
            long offset = 0;
            for (MemoryLayout member : group.memberLayouts()) {
                long memberOffset = group instanceof StructLayout ? offset : 0;
                offset += member.byteSize();
                if (member instanceof PaddingLayout) {
                    continue;
                }
                String name = member.name().orElse("$anon");
                if (name.startsWith("$anon")) {
                    if (member instanceof GroupLayout g) {
                        collect(g, prefix, base + memberOffset, out);
                        continue;
                    }
                    throw new AssertionError("unnamed non-group member in " + group);
                }
                String path = prefix + name;
                boolean flexible = member instanceof SequenceLayout seq && seq.elementCount() == 0;
                out.add(new Field(path, base + memberOffset, member.byteSize(), flexible));
                MemoryLayout inner = member;
                String innerPath = path;
                while (inner instanceof SequenceLayout seq) {
                    inner = seq.elementLayout();
                    innerPath += "[0]";
                }
                if (inner instanceof GroupLayout g) {
                    collect(g, innerPath + ".", base + memberOffset, out);
                }
            }
        }
    }

    record Constant(String name, String javaName, MethodHandle getter) {
        Object value() throws Throwable {
            return getter.invoke();
        }
    }

    record GeneratedPackage(String name, List<Struct> structs, List<Constant> constants) {

        /** Every io.zeroframe.bindings.X package holding a header class X_h is generated by jextract. */
        static List<GeneratedPackage> scan() {
            Path root = classRoot();
            try (FileSystem jar = root.toString().endsWith(".jar") ? FileSystems.newFileSystem(root) : null) {
                Path base = (jar == null ? root : jar.getPath("/")).resolve(ROOT_PACKAGE.replace('.', '/'));
                List<GeneratedPackage> packages = new ArrayList<>();
                try (Stream<Path> dirs = Files.list(base)) {
                    for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                        String name = dir.getFileName().toString().replace("/", "");
                        if (Files.exists(dir.resolve(name + "_h.class"))) {
                            packages.add(load(name, dir));
                        }
                    }
                }
                return List.copyOf(packages);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The directory or jar the generated classes were loaded from (found via a class of this module). */
        private static Path classRoot() {
            try {
                Class<?> probe = Class.forName(ROOT_PACKAGE + ".drm.drm_h");
                return Path.of(probe.getProtectionDomain().getCodeSource().getLocation().toURI());
            } catch (ClassNotFoundException | URISyntaxException e) {
                throw new AssertionError("generated bindings not on the test class path: " + e, e);
            }
        }

        private static GeneratedPackage load(String name, Path dir) throws IOException {
            String pkg = ROOT_PACKAGE + "." + name;
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            List<Struct> structs = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                for (String file : files.map(p -> p.getFileName().toString().replace("/", ""))
                        .filter(f -> f.endsWith(".class") && !f.contains("$")).sorted().toList()) {
                    Class<?> cls = loadClass(pkg + "." + file.substring(0, file.length() - ".class".length()));
                    try {
                        Method layout = cls.getMethod("layout");
                        if (Modifier.isStatic(layout.getModifiers()) && layout.getReturnType() == GroupLayout.class) {
                            MethodHandle h = lookup.findStatic(cls, "layout", MethodType.methodType(GroupLayout.class));
                            structs.add(Struct.of(cls, (GroupLayout) h.invoke()));
                        }
                    } catch (NoSuchMethodException notAStruct) {
                        // header class, $shared helper: not a struct
                    } catch (Throwable t) {
                        throw new AssertionError("cannot read " + cls.getName() + ".layout()", t);
                    }
                }
            }
            Class<?> header = loadClass(pkg + "." + name + "_h");
            // header constants may be spread over X_h and its (package-private) superclasses X_h_1, ...
            Map<String, Constant> constants = new TreeMap<>();
            for (Method m : header.getMethods()) {
                Class<?> type = m.getReturnType();
                if (Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0
                        && (type == int.class || type == long.class || type == MemorySegment.class)) {
                    try {
                        MethodHandle h = lookup.findStatic(header, m.getName(), MethodType.methodType(type));
                        constants.put(m.getName(), new Constant(m.getName(), header.getName() + "." + m.getName() + "()", h));
                    } catch (ReflectiveOperationException e) {
                        throw new AssertionError("cannot access " + header.getName() + "." + m.getName(), e);
                    }
                }
            }
            return new GeneratedPackage(name, List.copyOf(structs), List.copyOf(constants.values()));
        }

        private static Class<?> loadClass(String name) {
            try {
                return Class.forName(name, false, AbiTest.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
        }
    }

    // ---------------------------------------------------------------- the C side

    /** The values gcc computes, keyed like "S struct x size", "F struct x a.b offset", "C NAME value". */
    record CValues(Map<String, String> values) {

        String get(String key) {
            String v = values.get(key);
            if (v == null) {
                throw new AssertionError("the generated C program printed no value for '" + key + "'");
            }
            return v;
        }

        static CValues compute(List<GeneratedPackage> packages) {
            try {
                Path work = Files.createTempDirectory("zeroframe-abi");
                try {
                    Path source = work.resolve("abi.c");
                    Path exe = work.resolve("abi");
                    Files.writeString(source, program(packages));
                    List<String> command = new ArrayList<>(List.of(gcc(), "-std=gnu11"));
                    for (Path dir : UapiHeaders.find().includeDirs()) {
                        command.add("-I" + dir);
                    }
                    command.addAll(List.of("-o", exe.toString(), source.toString()));
                    run(command, "gcc failed to compile the ABI probe (" + source + ")");
                    String output = run(List.of(exe.toString()), "the ABI probe failed");
                    Map<String, String> values = new TreeMap<>();
                    for (String line : output.split("\n")) {
                        int cut = line.lastIndexOf(' ');
                        if (cut > 0) {
                            values.put(line.substring(0, cut), line.substring(cut + 1));
                        }
                    }
                    return new CValues(values);
                } finally {
                    try (Stream<Path> files = Files.walk(work)) {
                        files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static String run(List<String> command, String failure) {
            Commands.Result result = Commands.runUnchecked(Commands.Stderr.MERGED, command);
            if (result.exitCode() != 0) {
                throw new AssertionError(failure + " (exit " + result.exitCode() + "):\n" + result.output().lines()
                        .limit(40).reduce("", (a, b) -> a + b + "\n"));
            }
            return result.output();
        }

        private static String program(List<GeneratedPackage> packages) throws IOException {
            StringBuilder c = new StringBuilder();
            c.append("#include <stddef.h>\n#include <stdio.h>\n");
            for (String header : headers(packages)) {
                c.append("#include <").append(header).append(">\n");
            }
            c.append("""

                    static void hex(const char *name, const char *s) {
                        printf("T %s ", name);
                        for (; *s; s++) printf("%02x", (unsigned char) *s);
                        printf("\\n");
                    }

                    int main(void) {
                    """);
            for (GeneratedPackage pkg : packages) {
                for (Struct s : pkg.structs()) {
                    String t = s.cType();
                    c.append("    printf(\"S %s size %zu\\n\", \"").append(t).append("\", sizeof(").append(t).append("));\n");
                    c.append("    printf(\"S %s align %zu\\n\", \"").append(t).append("\", _Alignof(").append(t).append("));\n");
                    for (Field f : s.fields()) {
                        String key = t + " " + f.path();
                        c.append("    printf(\"F %s offset %zu\\n\", \"").append(key).append("\", offsetof(").append(t)
                                .append(", ").append(f.path()).append("));\n");
                        if (!f.flexible()) {
                            c.append("    printf(\"F %s size %zu\\n\", \"").append(key).append("\", sizeof(((").append(t)
                                    .append(" *) 0)->").append(f.path()).append("));\n");
                        }
                    }
                }
                for (Constant k : pkg.constants()) {
                    String n = k.name();
                    Object value;
                    try {
                        value = k.value();
                    } catch (Throwable t) {
                        throw new AssertionError("cannot read " + k.javaName(), t);
                    }
                    if (value instanceof MemorySegment) {
                        c.append("    hex(\"").append(n).append("\", ").append(n).append(");\n");
                    } else {
                        c.append("    printf(\"C %s size %zu\\n\", \"").append(n).append("\", sizeof(").append(n).append("));\n");
                        c.append("    printf(\"C %s value %llu\\n\", \"").append(n).append("\", (unsigned long long) (")
                                .append(n).append("));\n");
                    }
                }
            }
            c.append("    return 0;\n}\n");
            return c.toString();
        }

        /**
         * The headers jextract read for each package: the header lines of bindings/jextract/X.args, {@code <...>}
         * (a pinned uAPI header) or an absolute path (this machine's). Fails, naming what to install, if one is
         * missing.
         */
        private static Set<String> headers(List<GeneratedPackage> packages) throws IOException {
            Path argsDir = argsDir();
            Path uapi = UapiHeaders.find().dir();
            Set<String> headers = new LinkedHashSet<>();
            for (GeneratedPackage pkg : packages) {
                Path args = argsDir.resolve(pkg.name() + ".args");
                if (!Files.exists(args)) {
                    throw new AssertionError("no " + args + " for generated package " + pkg.name());
                }
                for (String line : Files.readAllLines(args)) {
                    String h = line.strip();
                    if (h.startsWith("<") && h.endsWith(">")) {
                        String name = h.substring(1, h.length() - 1);
                        if (!Files.exists(uapi.resolve(name))) {
                            throw new AssertionError(args.getFileName() + " names " + h + ", which the pinned uAPI "
                                    + "headers in " + uapi + " lack");
                        }
                        headers.add(name);
                    } else if (h.startsWith("/usr/include/")) {
                        if (!Files.exists(Path.of(h))) {
                            throw new AssertionError(h + " is missing; the ABI test compiles against it "
                                    + "(Debian/Ubuntu: apt-get install " + debianPackage(h) + ")");
                        }
                        headers.add(h.substring("/usr/include/".length()));
                    }
                }
            }
            if (!Files.exists(Path.of("/usr/include/stdio.h"))) {
                throw new AssertionError("/usr/include/stdio.h is missing (Debian/Ubuntu: apt-get install libc6-dev)");
            }
            return headers;
        }

        private static String debianPackage(String header) {
            return header.startsWith("/usr/include/xf86drm") ? "libdrm-dev" : "libc6-dev";
        }

        /** bindings/jextract, found from the working directory (the bindings module under surefire, or the repo). */
        private static Path argsDir() {
            String configured = System.getProperty("zeroframe.jextract.dir");
            if (configured != null) {
                return Path.of(configured);
            }
            return findUp("bindings/jextract/drm.args", "set -Dzeroframe.jextract.dir").getParent();
        }
    }

    /** The file at {@code relative} under the working directory or one of its parents. */
    private static Path findUp(String relative, String advice) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(relative))) {
                return dir.resolve(relative);
            }
        }
        throw new AssertionError(relative + " not found from " + Path.of("").toAbsolutePath() + " (" + advice + ")");
    }

    /**
     * The test bed kernel's uAPI headers: {@code usr/include} of the linux-libc-dev that
     * {@code scripts/testbed/uapi.pins} pins, as {@code scripts/testbed/uapi-headers} unpacks it into
     * {@code $ZF_TESTBED_CACHE/uapi/VERSION} (default cache {@code ~/.cache/zeroframe/testbed}).
     *
     * @param dir the include directory ({@code linux/}, {@code drm/}, {@code asm-generic/}, {@code MULTIARCH/asm/})
     * @param includeDirs what gcc gets as {@code -I}, in jextract's order (scripts/generate-bindings)
     */
    record UapiHeaders(Path dir, List<Path> includeDirs) {
        private static final Lazy<UapiHeaders> FOUND = new Lazy<>(UapiHeaders::locate);

        static UapiHeaders find() {
            return FOUND.get();
        }

        private static UapiHeaders locate() {
            Path pins = findUp("scripts/testbed/uapi.pins", "run the tests from a checkout");
            String[] pin;
            try {
                pin = Files.readAllLines(pins).stream().map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst()
                        .orElseThrow(() -> new AssertionError(pins + " pins nothing")).split("\\s+");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String cache = System.getenv("ZF_TESTBED_CACHE");
            Path root = (cache != null && !cache.isEmpty() ? Path.of(cache)
                    : Path.of(System.getProperty("user.home"), ".cache", "zeroframe", "testbed"))
                    .resolve("uapi").resolve(pin[1]);
            Path dir = root.resolve("usr/include");
            boolean unpacked;
            try {
                unpacked = Files.exists(dir.resolve("linux/videodev2.h"))
                        && Files.readString(root.resolve("sha256")).strip().equals(pin[2]);
            } catch (IOException e) {
                unpacked = false;
            }
            if (!unpacked) {
                throw new AssertionError("the test bed kernel's uAPI headers (" + pin[0] + " " + pin[1] + ", pinned in "
                        + "scripts/testbed/uapi.pins) are not unpacked in " + root + ": run scripts/testbed/uapi-headers "
                        + "once (scripts/test runs it before the unit tests); the ABI test compiles against them");
            }
            String multiarch = Commands.runUnchecked(Commands.Stderr.MERGED, List.of(gcc(), "-print-multiarch"))
                    .output().strip();
            return new UapiHeaders(dir, List.of(dir, dir.resolve(multiarch), dir.resolve("drm")));
        }
    }

    private static String gcc() {
        if (Commands.runUnchecked(Commands.Stderr.MERGED, List.of("gcc", "--version")).exitCode() == 0) {
            return "gcc";
        }
        throw new AssertionError("gcc is not installed or not on PATH; the ABI test needs it "
                + "(Debian/Ubuntu: apt-get install gcc libc6-dev)");
    }

    /** Computes once; every caller sees the same value or the same failure. */
    private static final class Lazy<T> {
        private final java.util.function.Supplier<T> supplier;
        private T value;
        private RuntimeException runtimeFailure;
        private Error errorFailure;

        Lazy(java.util.function.Supplier<T> supplier) {
            this.supplier = supplier;
        }

        synchronized T get() {
            if (value == null && runtimeFailure == null && errorFailure == null) {
                try {
                    value = supplier.get();
                } catch (RuntimeException e) {
                    runtimeFailure = e;
                } catch (Error e) {
                    errorFailure = e;
                }
            }
            if (runtimeFailure != null) {
                throw runtimeFailure;
            }
            if (errorFailure != null) {
                throw errorFailure;
            }
            return value;
        }
    }
}
