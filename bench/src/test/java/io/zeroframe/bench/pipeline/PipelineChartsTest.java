package io.zeroframe.bench.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.CategoryDataset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline charts, drawn from a small tsv written here: sizes, a bar per figure, nothing for n/a. */
class PipelineChartsTest {
    private static final String CAMERA = "vkms, camera buffers, 640x480";
    private static final String DISPLAY = "vkms, display buffers, 640x480";
    /** A bar this tall and wide has thousands of pixels; a legend swatch has under 200. */
    private static final int BAR_PIXELS = 1000;

    @TempDir
    Path dir;

    @BeforeEach
    void fixture() throws IOException {
        // cam knows no figure at all; gst_dmabuf no latency; java no system calls in the display case
        Files.writeString(dir.resolve("pipeline.tsv"), """
                driver	allocator	size	contender	cpu_user_us_per_frame	cpu_sys_us_per_frame	cpu_us_per_frame	\
                syscalls_per_frame	latency_p50_us	latency_p99_us	syscalls_per_frame_by_type
                vkms	camera	640x480	java	3000	1000	4000	10.00	20000	60000	ioctl 3.00, futex 4.00, poll 2.00, read 1.00
                vkms	camera	640x480	c	100	3000	3100	4.00	19000	30000	ioctl 3.00, poll 1.00
                vkms	camera	640x480	gst_dmabuf	2000	6000	8000	13.00	n/a	n/a	write 4.00, ioctl 3.00, read 2.00, ppoll 2.00, poll 1.00, futex 1.00
                vkms	display	640x480	java	3000	1000	4000	n/a	15000	40000	n/a
                vkms	display	640x480	cam	n/a	n/a	n/a	n/a	n/a	n/a	n/a
                vkms	display	640x480	mystery	1000	1000	2000	5.00	10000	20000	ioctl 5.00, madvise -0.01
                """);
        Files.writeString(dir.resolve("pipeline-env.txt"), """
                host: Linux 6.18.44, 2 CPUs, Intel(R) Xeon(R) Processor
                host load average at the start: 3.81 4.00 3.39
                where: testbed (6.12.95+deb12-amd64, 2 CPUs, QEMU software emulation (TCG))
                started 2026-12-07 03:03 UTC, load average 0.67 0.15 0.05 (where it runs)
                frames: 200 per run
                """);
    }

    @Test
    void writesThreePngsOfTheChartSize() throws IOException {
        List<Path> written = PipelineCharts.render(dir);
        assertEquals(List.of(PipelineCharts.CPU, PipelineCharts.LATENCY, PipelineCharts.SYSCALLS),
                written.stream().map(p -> p.getFileName().toString()).toList());
        for (Path png : written) {
            assertEquals(dir.resolve("charts"), png.getParent());
            BufferedImage image = ImageIO.read(png.toFile());
            assertEquals(PipelineCharts.WIDTH, image.getWidth(), png.toString());
            assertEquals(PipelineCharts.HEIGHT, image.getHeight(), png.toString());
        }
    }

    @Test
    void everyContenderWithAFigureHasBarsInItsColourAndOneWithoutHasNone() throws IOException {
        PipelineCharts.render(dir);
        BufferedImage cpu = image(PipelineCharts.CPU);
        for (String contender : List.of("java", "c", "gst_dmabuf", "mystery")) {
            int n = pixels(cpu, PipelineCharts.colour(contender));
            assertTrue(n > BAR_PIXELS, contender + ": " + n + " pixels of its colour in the CPU chart");
        }
        for (String png : List.of(PipelineCharts.CPU, PipelineCharts.SYSCALLS, PipelineCharts.LATENCY)) {
            Color cam = PipelineCharts.colour("cam");
            assertEquals(0, pixels(image(png), cam) + pixels(image(png), PipelineCharts.tint(cam)),
                    "cam (all n/a) drawn in " + png);
        }
    }

    @Test
    void cpuStacksSystemOnUserUpToTheTotal() throws IOException {
        CategoryDataset data = PipelineCharts.cpuChart(rows(), setting()).getCategoryPlot().getDataset();
        assertEquals(100.0, data.getValue("c|user", CAMERA).doubleValue(), 1e-9);
        assertEquals(3000.0, data.getValue("c|system", CAMERA).doubleValue(), 1e-9);
        assertNull(data.getValue("c|user", DISPLAY), "c did not run in the display case");
        assertTrue(data.getRowKeys().stream().noneMatch(k -> k.toString().startsWith("cam|")), data.getRowKeys().toString());
    }

    @Test
    void latencyLeavesOutGstreamerAndSaysSo() throws IOException {
        PipelineCharts.render(dir);
        Color gst = PipelineCharts.colour("gst_dmabuf");
        assertEquals(0, pixels(image(PipelineCharts.LATENCY), gst) + pixels(image(PipelineCharts.LATENCY),
                PipelineCharts.tint(gst)));
        assertTrue(pixels(image(PipelineCharts.LATENCY), PipelineCharts.colour("java")) > BAR_PIXELS);

        JFreeChart chart = PipelineCharts.latencyChart(rows(), setting());
        CategoryDataset data = chart.getCategoryPlot().getDataset();
        assertTrue(data.getRowKeys().stream().noneMatch(k -> k.toString().startsWith("gst_dmabuf")),
                data.getRowKeys().toString());
        assertEquals(20.0, data.getValue("java|p50", CAMERA).doubleValue(), 1e-9);
        assertEquals(40.0, data.getValue("java|p99", CAMERA).doubleValue(), 1e-9, "p99 - p50 stacked on p50");
        assertTrue(subtitles(chart).contains("n/a, left out: gst_dmabuf, cam"), subtitles(chart));
    }

    @Test
    void systemCallsAreStackedByTypeAndAnNaCaseIsEmptyNotZero() throws IOException {
        JFreeChart chart = PipelineCharts.syscallChart(rows(), setting());
        CategoryDataset data = chart.getCategoryPlot().getDataset();
        assertEquals(3.0, data.getValue("java|ioctl", CAMERA).doubleValue(), 1e-9);
        assertNull(data.getValue("java|ioctl", DISPLAY), "java's n/a system calls drawn as a value");
        double gst = IntStream.range(0, data.getRowCount())
                .filter(r -> data.getRowKey(r).toString().startsWith("gst_dmabuf|"))
                .mapToObj(r -> data.getValue(r, data.getColumnIndex(CAMERA))).filter(v -> v != null)
                .mapToDouble(Number::doubleValue).sum();
        assertEquals(13.0, gst, 1e-9, "gst_dmabuf's types stack to its total (6 types shown, the rest other)");
        assertEquals(5.0, data.getValue("mystery|ioctl", DISPLAY).doubleValue(), 1e-9);
        assertNull(data.getValue("mystery|other", DISPLAY), "a negative difference is no bar");
        assertTrue(subtitles(chart).contains("n/a, left out: java (" + DISPLAY + "), cam"), subtitles(chart));
    }

    @Test
    void subtitlesStateTheTestBedTheMachineAndItsLoad() throws IOException {
        PipelineCharts.Setting setting = setting();
        assertEquals("QEMU software emulation (TCG), 2 CPUs: compare ratios, not absolute times", setting.caveat());
        assertEquals("host Linux 6.18.44, 2 CPUs, Intel(R) Xeon(R) Processor, load 3.81 at the start · 200 frames "
                + "per run · 2026-12-07 03:03 UTC", setting.details());
        assertTrue(subtitles(PipelineCharts.cpuChart(rows(), setting)).contains(setting.caveat()));

        Files.delete(dir.resolve("pipeline-env.txt"));
        assertEquals("machine not recorded: compare ratios, not absolute times", setting().caveat());
    }

    @Test
    void theReportEmbedsTheChartsItDrawsFromTheCommittedRuns() throws IOException {
        Path results = Path.of("results"); // in the bench module's directory, where surefire runs
        Path copy = Files.createDirectories(dir.resolve("committed").resolve("pipeline-syscalls"));
        for (String f : List.of("pipeline-runs.txt", "pipeline-env.txt")) {
            Files.copy(results.resolve(f), copy.resolveSibling(f));
        }
        try (var tables = Files.list(results.resolve("pipeline-syscalls"))) {
            for (Path t : tables.toList()) {
                Files.copy(t, copy.resolve(t.getFileName()));
            }
        }
        PipelineReport.main(new String[] {copy.getParent().toString()});
        String md = Files.readString(copy.resolveSibling("pipeline.md"));
        assertTrue(md.contains("![CPU per frame](charts/pipeline-cpu.png)"), md);
        // the perf counts were read: Java's loop calls by type, not n/a
        assertTrue(md.contains("vkms display 640x480, java: ioctl"), md);
        assertTrue(Files.size(copy.resolveSibling("charts").resolve(PipelineCharts.CPU)) > 0);
    }

    private List<PipelineCharts.Row> rows() throws IOException {
        return PipelineCharts.rows(dir.resolve("pipeline.tsv"));
    }

    private PipelineCharts.Setting setting() throws IOException {
        return PipelineCharts.Setting.read(dir.resolve("pipeline-env.txt"));
    }

    private BufferedImage image(String png) throws IOException {
        return ImageIO.read(dir.resolve("charts").resolve(png).toFile());
    }

    private static String subtitles(JFreeChart chart) {
        return String.join("\n", IntStream.range(0, chart.getSubtitleCount())
                .mapToObj(chart::getSubtitle).filter(TextTitle.class::isInstance)
                .map(t -> ((TextTitle) t).getText()).toList());
    }

    /** How many pixels have exactly this colour. */
    private static int pixels(BufferedImage image, Color colour) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                n += (image.getRGB(x, y) & 0xFFFFFF) == (colour.getRGB() & 0xFFFFFF) ? 1 : 0;
            }
        }
        return n;
    }
}
