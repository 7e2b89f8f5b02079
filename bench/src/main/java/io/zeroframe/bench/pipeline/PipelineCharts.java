package io.zeroframe.bench.pipeline;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.Rectangle;
import java.awt.TexturePaint;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SequencedSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.renderer.category.GroupedStackedBarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.KeyToGroupMap;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Draws the pipeline benchmark's figures ({@code pipeline.tsv}, written by {@link PipelineReport}) as PNG charts in
 * {@code DIR/charts/}, the ones {@code pipeline.md} and {@code results.md} embed ({@link #markdown()}):
 * <ul>
 *   <li>{@value #CPU}: CPU microseconds per captured frame, user (solid) + system (hatched), one bar per contender,
 *       grouped by case (display driver, buffer allocator, frame size): the headline chart;</li>
 *   <li>{@value #SYSCALLS}: system calls per captured frame, stacked by type (the most frequent types overall, the
 *       rest as "other"), each type a fill pattern in the contender's colour;</li>
 *   <li>{@value #LATENCY}: capture-to-scanout latency, a solid bar to p50 and a hatched one on to p99.</li>
 * </ul>
 * A contender keeps its colour in every chart ({@link #colour}); a figure that is {@code n/a} (GStreamer's latency,
 * a failed traced run's system calls) is left out, never drawn as 0, and the chart's subtitle names what is left
 * out. Each chart's subtitles state the machine, the load and the caveat of the test bed, from
 * {@code DIR/pipeline-env.txt}.
 *
 * <p>Reads the tsv, the report's published figures, by column name, rather than {@link PipelineReport}'s raw run
 * lines, so the charts can be drawn again from committed results: {@code PipelineCharts DIR}. Rendering is headless
 * AWT ({@code java.awt.headless=true}, set here).
 */
public final class PipelineCharts {
    /** Every chart's size in pixels. */
    public static final int WIDTH = 1200;
    public static final int HEIGHT = 600;
    static final String CPU = "pipeline-cpu.png";
    static final String SYSCALLS = "pipeline-syscalls.png";
    static final String LATENCY = "pipeline-latency.png";
    /** The directory, inside the results directory, the charts are written to. */
    static final String CHARTS = "charts";

    /** Contenders in this order, then any other in the order the tsv first names it. */
    private static final List<String> ORDER = List.of("java", "c", "gst_dmabuf_import", "gst_dmabuf", "cam");
    /** Okabe-Ito colours (told apart with colour-blindness too): the known contenders' own ... */
    private static final Map<String, Color> COLOURS = Map.of("java", new Color(0xD55E00), "c", new Color(0x0072B2),
            "gst_dmabuf_import", new Color(0x009E73), "gst_dmabuf", new Color(0xCC79A7), "cam", new Color(0xE69F00));
    /** ... and, by the hash of its name (the same in every chart and run), any other contender's. */
    private static final List<Color> OTHER_COLOURS = List.of(new Color(0x56B4E9), new Color(0x7F3C8D),
            new Color(0x8C564B), new Color(0x4D4D4D));
    private static final Color LEGEND_GREY = new Color(0x555555);
    /** System call types drawn apart; the rest are stacked as {@link #OTHER}. */
    private static final int TYPES_SHOWN = 6;
    private static final String OTHER = "other";
    private static final String FONT = "SansSerif";
    private static final String SEP = "|";

    /** A fill: one of the contender's colour and a pattern. */
    private enum Fill {
        SOLID, DIAGONAL, HORIZONTAL, CROSS, VERTICAL, DOTS, TINT;

        /** The fill of the {@code i}th system call type; {@link #TINT} is "other". */
        static Fill ofType(int i) {
            return values()[i];
        }
    }

    private PipelineCharts() {}

    /**
     * One row of {@code pipeline.tsv}: a contender in a case, its figures by column name.
     *
     * @param fields column name to value, as written ({@code n/a} for a figure the contender does not know)
     */
    record Row(Map<String, String> fields) {
        String contender() {
            return fields.get("contender");
        }

        /** The case as the charts label it: {@code vkms, camera buffers, 640x480}. */
        String label() {
            return fields.get("driver") + ", " + fields.get("allocator") + " buffers, " + fields.get("size");
        }

        /** The column's value, empty when {@code n/a}, missing or not a number. */
        OptionalDouble number(String column) {
            String v = fields.getOrDefault(column, "n/a");
            try {
                return v.equals("n/a") ? OptionalDouble.empty() : OptionalDouble.of(Double.parseDouble(v));
            } catch (NumberFormatException e) {
                return OptionalDouble.empty();
            }
        }

        /** {@code syscalls_per_frame_by_type} ({@code ioctl 2.77, poll 0.54}), empty when {@code n/a}. */
        Map<String, Double> syscallsByType() {
            Map<String, Double> types = new LinkedHashMap<>();
            String v = fields.getOrDefault("syscalls_per_frame_by_type", "n/a");
            if (!v.equals("n/a") && !v.isBlank()) {
                for (String pair : v.split(", ")) {
                    String[] w = pair.trim().split(" ");
                    if (w.length == 2) {
                        types.put(w[0], Double.parseDouble(w[1]));
                    }
                }
            }
            return types;
        }
    }

    /**
     * What every chart says about where and how its figures were taken.
     *
     * @param caveat how to read the figures, e.g. {@code QEMU software emulation (TCG), 2 CPUs: compare ratios, not
     *     absolute times}
     * @param details the machine, its load, frames per run and when
     */
    record Setting(String caveat, String details) {
        /** Reads {@code pipeline-env.txt} (written by {@code scripts/bench --pipeline}); a missing file says so. */
        static Setting read(Path env) throws IOException {
            Map<String, String> lines = new HashMap<>();
            if (Files.exists(env)) {
                for (String line : Files.readAllLines(env)) {
                    int colon = line.indexOf(": ");
                    if (colon > 0) {
                        lines.putIfAbsent(line.substring(0, colon), line.substring(colon + 2));
                    } else if (line.startsWith("started ")) {
                        lines.putIfAbsent("started", line.substring("started ".length()));
                    }
                }
            }
            String where = lines.getOrDefault("where", "machine not recorded");
            int open = where.indexOf('(');
            String caveat = where;
            if (open > 0 && where.endsWith(")")) {
                // "testbed (6.12.95+deb12-amd64, 2 CPUs, QEMU software emulation (TCG))": drop the kernel release,
                // the emulation first
                List<String> parts = new ArrayList<>(List.of(where.substring(open + 1, where.length() - 1).split(", ")));
                parts.removeIf(p -> !p.contains("CPU") && !p.contains("emulation"));
                parts.sort(Comparator.comparing(p -> p.contains("CPU")));
                caveat = parts.isEmpty() ? where.substring(0, open).trim() : String.join(", ", parts);
                if (!caveat.contains("emulation")) {
                    caveat = where.substring(0, open).trim() + ", " + caveat;
                }
            }
            List<String> details = new ArrayList<>();
            if (lines.containsKey("host")) {
                String load = lines.getOrDefault("host load average at the start", "");
                details.add("host " + lines.get("host") + (load.isEmpty() ? "" : ", load " + load.split(" ")[0]
                        + " at the start"));
            }
            if (lines.containsKey("frames")) {
                details.add(lines.get("frames").split(" ")[0] + " frames per run");
            }
            if (lines.containsKey("started")) {
                details.add(lines.get("started").replaceFirst(",.*", ""));
            }
            if (lines.containsKey("Java warm-up")) {
                details.add("Java warm-up: " + lines.get("Java warm-up").replaceFirst(" \\(.*", ""));
            }
            return new Setting(caveat + ": compare ratios, not absolute times", String.join(" · ", details));
        }
    }

    /** Usage: {@code PipelineCharts DIR}: draws the charts of {@code DIR/pipeline.tsv} into {@code DIR/charts}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: PipelineCharts DIR");
            System.exit(2);
        }
        render(Path.of(args[0])).forEach(p -> System.out.println("wrote " + p));
    }

    /**
     * Draws the three charts of {@code dir/pipeline.tsv} (with {@code dir/pipeline-env.txt}'s setting) into
     * {@code dir/charts/}, replacing what was there.
     *
     * @return the PNG files written
     * @throws IOException when the tsv cannot be read or a PNG cannot be written
     */
    public static List<Path> render(Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Row> rows = rows(dir.resolve("pipeline.tsv"));
        Setting setting = Setting.read(dir.resolve("pipeline-env.txt"));
        Path charts = Files.createDirectories(dir.resolve(CHARTS));
        List<Path> written = new ArrayList<>();
        for (var chart : Map.of(CPU, cpuChart(rows, setting), SYSCALLS, syscallChart(rows, setting),
                LATENCY, latencyChart(rows, setting)).entrySet()) {
            Path png = charts.resolve(chart.getKey());
            BufferedImage image = chart.getValue().createBufferedImage(WIDTH, HEIGHT);
            if (!ImageIO.write(image, "png", png.toFile())) {
                throw new IOException("no PNG writer in this JDK for " + png);
            }
            written.add(png);
        }
        written.sort(Comparator.naturalOrder());
        return written;
    }

    /** The Markdown that shows the charts, relative to the results directory (where pipeline.md is). */
    public static String markdown() {
        return "![CPU per frame](" + CHARTS + "/" + CPU + ")\n\n"
                + "![System calls per frame](" + CHARTS + "/" + SYSCALLS + ")\n\n"
                + "![Capture-to-scanout latency](" + CHARTS + "/" + LATENCY + ")\n";
    }

    /** The rows of a {@code pipeline.tsv}, by its header's column names. */
    static List<Row> rows(Path tsv) throws IOException {
        List<String> lines = Files.readAllLines(tsv);
        if (lines.isEmpty()) {
            throw new IOException(tsv + " is empty: no header line");
        }
        String[] header = lines.getFirst().split("\t");
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] values = line.split("\t", -1);
            Map<String, String> fields = new LinkedHashMap<>();
            for (int i = 0; i < header.length && i < values.length; i++) {
                fields.put(header[i], values[i]);
            }
            rows.add(new Row(fields));
        }
        return rows;
    }

    /**
     * CPU microseconds per captured frame: user, and on it system as total - user, so the bar's top is the table's
     * total (each column is rounded on its own).
     */
    static JFreeChart cpuChart(List<Row> rows, Setting setting) {
        return twoParts("CPU time per captured frame", rows, setting, "user", "cpu_user_us_per_frame", "system",
                "cpu_us_per_frame", 1, "CPU time per captured frame (µs): user + system, all threads of the process",
                "#,##0", "user (solid) and system (hatched) time, from the kernel's accounting", false);
    }

    /** System calls per captured frame, stacked by type. */
    static JFreeChart syscallChart(List<Row> rows, Setting setting) {
        // the types with the most calls per frame over all rows, in that order; the rest are "other"
        Map<String, Double> overall = new HashMap<>();
        rows.forEach(r -> r.syscallsByType().forEach((k, v) -> overall.merge(k, Math.max(v, 0), Double::sum)));
        List<String> types = new ArrayList<>(overall.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(TYPES_SHOWN).map(Map.Entry::getKey).toList());
        Map<String, Fill> fills = new HashMap<>();
        for (int i = 0; i < types.size(); i++) {
            fills.put(types.get(i), Fill.ofType(i));
        }
        types.add(OTHER);
        fills.put(OTHER, Fill.TINT);
        return stacked("System calls per captured frame", rows, setting, types, fills,
                row -> {
                    Map<String, Double> v = new LinkedHashMap<>();
                    OptionalDouble total = row.number("syscalls_per_frame");
                    if (total.isEmpty()) {
                        return v;
                    }
                    double rest = total.getAsDouble();
                    for (var e : row.syscallsByType().entrySet()) {
                        if (fills.containsKey(e.getKey()) && e.getValue() > 0) {
                            v.put(e.getKey(), e.getValue());
                            rest -= e.getValue();
                        }
                    }
                    if (rest >= 0.005) {
                        v.put(OTHER, rest);
                    }
                    return v;
                },
                "system calls per captured frame (all threads)", "0.0",
                "by type (fill pattern): the " + (types.size() - 1) + " most frequent overall, the rest as other; "
                        + "perf stat syscall counts of a long and a short run, the difference per frame", false);
    }

    /** Capture-to-scanout latency in milliseconds: p50 and, stacked on it, the rest up to p99. */
    static JFreeChart latencyChart(List<Row> rows, Setting setting) {
        return twoParts("Capture-to-scanout latency", rows, setting, "p50", "latency_p50_us", "p99", "latency_p99_us",
                1000, "latency (ms), V4L2 buffer timestamp to page-flip event", "0.0",
                "p50 (solid, its figure inside) and p99 (the hatched bar's top)", true);
    }

    /**
     * A chart of bars from 0 to column {@code top}, solid up to column {@code bottom} (part {@code bottomPart}) and
     * hatched above it ({@code topPart}); figures are divided by {@code unit}.
     */
    private static JFreeChart twoParts(String title, List<Row> rows, Setting setting, String bottomPart,
                                       String bottom, String topPart, String top, double unit, String rangeLabel,
                                       String format, String how, boolean labelBottom) {
        return stacked(title, rows, setting, List.of(bottomPart, topPart),
                Map.of(bottomPart, Fill.SOLID, topPart, Fill.DIAGONAL),
                row -> {
                    OptionalDouble b = row.number(bottom);
                    OptionalDouble t = row.number(top);
                    if (b.isEmpty() || t.isEmpty()) {
                        return Map.of();
                    }
                    Map<String, Double> v = new LinkedHashMap<>();
                    v.put(bottomPart, b.getAsDouble() / unit);
                    v.put(topPart, Math.max(0, t.getAsDouble() - b.getAsDouble()) / unit);
                    return v;
                }, rangeLabel, format, how, labelBottom);
    }

    /**
     * A chart of one bar per contender and case, each stacked from {@code parts}; {@code values} gives a row's
     * parts, empty when the row's figure is n/a (then that bar is left out and the subtitle says so). Each bar is
     * labelled with its total, and its first part with its own figure too when {@code labelFirst}.
     */
    private static JFreeChart stacked(String title, List<Row> rows, Setting setting, List<String> parts,
                                      Map<String, Fill> fills, Function<Row, Map<String, Double>> values,
                                      String rangeLabel, String format, String how, boolean labelFirst) {
        SequencedSet<String> contenders = contenders(rows);
        SequencedSet<String> cases = new LinkedHashSet<>(); // the cases with a bar: an empty group says nothing
        Map<String, List<String>> missing = new LinkedHashMap<>();
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        SequencedSet<String> drawn = new LinkedHashSet<>();
        for (Row row : rows) {
            Map<String, Double> v = values.apply(row);
            if (v.isEmpty()) {
                missing.computeIfAbsent(row.contender(), k -> new ArrayList<>()).add(row.label());
                continue;
            }
            cases.add(row.label());
            drawn.add(row.contender());
            v.forEach((part, value) -> data.addValue(value, row.contender() + SEP + part, row.label()));
        }
        contenders.retainAll(drawn);
        // every series of every drawn contender, in a fixed order; a cell never added stays null (not drawn)
        DefaultCategoryDataset ordered = new DefaultCategoryDataset();
        for (String c : cases) {
            for (String contender : contenders) {
                for (String part : parts) {
                    String series = contender + SEP + part;
                    Number n = data.getRowKeys().contains(series) && data.getColumnKeys().contains(c)
                            ? data.getValue(series, c) : null;
                    ordered.addValue(n, series, c);
                }
            }
        }
        KeyToGroupMap groups = new KeyToGroupMap(contenders.isEmpty() ? "none" : contenders.getFirst());
        GroupedStackedBarRenderer renderer = new GroupedStackedBarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setDrawBarOutline(true);
        renderer.setDefaultOutlinePaint(Color.WHITE);
        renderer.setDefaultOutlineStroke(new BasicStroke(0.5f));
        renderer.setItemMargin(0.08);
        for (int r = 0; r < ordered.getRowCount(); r++) {
            String[] key = ordered.getRowKey(r).toString().split("\\" + SEP, 2);
            groups.mapKeyToGroup(ordered.getRowKey(r), key[0]);
            renderer.setSeriesPaint(r, paint(colour(key[0]), fills.get(key[1])));
            if (labelFirst && key[1].equals(parts.getFirst())) {
                renderer.setSeriesPositiveItemLabelPosition(r,
                        new ItemLabelPosition(ItemLabelAnchor.CENTER, TextAnchor.CENTER));
                renderer.setSeriesItemLabelPaint(r, Color.WHITE);
            }
        }
        renderer.setSeriesToGroupMap(groups);
        DecimalFormat numbers = new DecimalFormat(format, DecimalFormatSymbols.getInstance(Locale.ROOT));
        renderer.setDefaultItemLabelGenerator(new TopLabels(groups, numbers, labelFirst ? parts.getFirst() : null));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(new Font(FONT, Font.PLAIN, 12));
        renderer.setDefaultPositiveItemLabelPosition(
                new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_CENTER));

        CategoryAxis x = new CategoryAxis("case: display driver, buffer allocator, frame size");
        x.setMaximumCategoryLabelLines(2);
        x.setCategoryMargin(0.15);
        NumberAxis y = new NumberAxis(rangeLabel);
        y.setUpperMargin(0.12);
        y.setNumberFormatOverride(numbers);
        for (var axis : List.of(x, y)) {
            axis.setLabelFont(new Font(FONT, Font.PLAIN, 14));
            axis.setTickLabelFont(new Font(FONT, Font.PLAIN, 13));
        }
        CategoryPlot plot = new CategoryPlot(ordered, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xCCCCCC));
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setOutlineVisible(false);
        plot.setFixedLegendItems(legend(contenders, parts, fills));

        JFreeChart chart = new JFreeChart(title, new Font(FONT, Font.BOLD, 20), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        chart.addSubtitle(subtitle(setting.caveat(), Font.BOLD));
        chart.addSubtitle(subtitle(setting.details(), Font.PLAIN));
        String note = how;
        if (!missing.isEmpty()) {
            note += "; n/a, left out: " + missing.entrySet().stream()
                    .map(e -> e.getKey() + (rows.stream().filter(r -> r.contender().equals(e.getKey())).count()
                            == e.getValue().size() ? "" : " (" + String.join("; ", e.getValue()) + ")"))
                    .collect(Collectors.joining(", "));
        }
        chart.addSubtitle(subtitle(note, Font.PLAIN));
        LegendTitle legend = chart.getLegend();
        legend.setItemFont(new Font(FONT, Font.PLAIN, 13));
        legend.setPosition(RectangleEdge.BOTTOM);
        legend.setFrame(org.jfree.chart.block.BlockBorder.NONE);
        chart.setPadding(new RectangleInsets(6, 10, 6, 16));
        return chart;
    }

    private static TextTitle subtitle(String text, int style) {
        TextTitle t = new TextTitle(text, new Font(FONT, style, 13));
        t.setPaint(new Color(0x333333));
        return t;
    }

    /** The contenders the rows name, known ones first ({@link #ORDER}). */
    private static SequencedSet<String> contenders(Collection<Row> rows) {
        SequencedSet<String> named = new LinkedHashSet<>();
        rows.forEach(r -> named.add(r.contender()));
        SequencedSet<String> ordered = new LinkedHashSet<>();
        ORDER.stream().filter(named::contains).forEach(ordered::add);
        ordered.addAll(named);
        return ordered;
    }

    /** A contender's colour, the same in every chart. */
    static Color colour(String contender) {
        Color known = COLOURS.get(contender);
        return known != null ? known : OTHER_COLOURS.get(Math.floorMod(contender.hashCode(), OTHER_COLOURS.size()));
    }

    /** A contender's colour lightened towards white: the background of its patterned fills. */
    static Color tint(Color c) {
        return new Color((c.getRed() + 2 * 255) / 3, (c.getGreen() + 2 * 255) / 3, (c.getBlue() + 2 * 255) / 3);
    }

    /** The fill of a colour and a pattern: the colour itself, or its pattern in the colour over the tint. */
    private static Paint paint(Color c, Fill fill) {
        if (fill == Fill.SOLID) {
            return c;
        }
        int n = 8;
        BufferedImage tile = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = tile.createGraphics();
        g.setColor(tint(c));
        g.fillRect(0, 0, n, n);
        g.setColor(c);
        for (int i = 0; i < n; i++) {
            switch (fill) {
                case DIAGONAL -> {
                    g.fillRect(i, n - 1 - i, 1, 1);
                    g.fillRect((i + 1) % n, n - 1 - i, 1, 1);
                }
                case HORIZONTAL -> g.fillRect(i, 0, 1, 2);
                case VERTICAL -> g.fillRect(0, i, 2, 1);
                case CROSS -> {
                    g.fillRect(i, i, 1, 1);
                    g.fillRect(i, n - 1 - i, 1, 1);
                }
                case DOTS -> {
                    if (i % 4 == 0) {
                        g.fillRect(i, i % 8 == 0 ? 1 : 5, 2, 2);
                    }
                }
                default -> {} // TINT: the tint alone
            }
        }
        g.dispose();
        return new TexturePaint(tile, new Rectangle(0, 0, n, n));
    }

    /** One entry per contender drawn (its colour), then one per part (its pattern, in grey). */
    private static LegendItemCollection legend(Collection<String> contenders, List<String> parts,
                                               Map<String, Fill> fills) {
        LegendItemCollection items = new LegendItemCollection();
        Rectangle2D box = new Rectangle2D.Double(-7, -7, 14, 14);
        for (String c : contenders) {
            items.add(new LegendItem(c, null, null, null, box, colour(c)));
        }
        for (String part : parts) {
            items.add(new LegendItem(part, null, null, null, box, paint(LEGEND_GREY, fills.get(part)),
                    new BasicStroke(1f), LEGEND_GREY));
        }
        return items;
    }

    /** Labels each stack with its total (above it), and the part named {@code first}, if any, with its own figure. */
    private static final class TopLabels extends StandardCategoryItemLabelGenerator {
        private static final long serialVersionUID = 1L;
        private final transient KeyToGroupMap groups;
        private final transient DecimalFormat numbers;
        private final String first;

        TopLabels(KeyToGroupMap groups, DecimalFormat numbers, String first) {
            this.groups = groups;
            this.numbers = numbers;
            this.first = first;
        }

        @Override
        public String generateLabel(CategoryDataset data, int row, int column) {
            Comparable<?> group = groups.getGroup(data.getRowKey(row));
            double total = 0;
            int top = -1;
            for (int r = 0; r < data.getRowCount(); r++) {
                Number v = data.getValue(r, column);
                if (v != null && groups.getGroup(data.getRowKey(r)).equals(group)) {
                    total += v.doubleValue();
                    top = r;
                }
            }
            if (row == top) {
                return numbers.format(total);
            }
            return first != null && data.getRowKey(row).toString().endsWith(SEP + first)
                    ? numbers.format(data.getValue(row, column)) : null;
        }
    }
}
