package io.zeroframe.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Test bed self-check: what {@code scripts/probe} prints in the test bed is what the README shows a newcomer, line
 * for line, where a line {@code ...} in the README stands for any number of lines.
 */
@Tag("testbed")
class ProbeReadmeTest {
    private static final String INTRO = "`scripts/probe` prints (in the test bed; numbering follows driver load order):";

    @Test
    void theReadmeShowsWhatTheProbePrints() throws Exception {
        List<String> documented = readmeSample(checkout().resolve("README.md"));
        List<String> printed = probe();
        System.out.println("Probe printed:\n" + String.join("\n", printed));
        assertTrue(matches(documented, 0, printed, 0), "README.md's scripts/probe sample:\n"
                + String.join("\n", documented) + "\n\ndoes not match what the Probe prints in the test bed:\n"
                + String.join("\n", printed));
    }

    @Test
    void elisionsStandForAnyNumberOfLines() {
        assertTrue(matches(List.of("a", "...", "d"), 0, List.of("a", "b", "c", "d"), 0));
        assertTrue(matches(List.of("a", "  ...", "b"), 0, List.of("a", "b"), 0));
        assertTrue(!matches(List.of("a", "...", "d"), 0, List.of("a", "b", "c"), 0));
        assertTrue(!matches(List.of("a", "c"), 0, List.of("a", "b", "c"), 0));
    }

    /** The checkout: the working directory or the nearest parent that holds README.md and pom.xml. */
    private static Path checkout() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new AssertionError("no checkout (README.md beside pom.xml) at or above " + Path.of("").toAbsolutePath());
    }

    /** The fenced block after the README's introduction of the probe's output. */
    static List<String> readmeSample(Path readme) throws Exception {
        List<String> lines = Files.readAllLines(readme);
        int intro = lines.indexOf(INTRO);
        assertTrue(intro >= 0, "README.md lost the line: " + INTRO);
        int open = intro + 1;
        while (lines.get(open).isBlank()) {
            open++;
        }
        assertEquals("```", lines.get(open), "the sample's fence");
        int close = lines.subList(open + 1, lines.size()).indexOf("```") + open + 1;
        return lines.subList(open + 1, close);
    }

    private static List<String> probe() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            Probe.main(new String[0]);
        } catch (Exception e) {
            throw new AssertionError("the Probe failed", e);
        } finally {
            System.setOut(original);
        }
        return new ArrayList<>(captured.toString(StandardCharsets.UTF_8).lines().toList());
    }

    /** Whether {@code expected} from index {@code e} matches {@code actual} from {@code a}, "..." lines eliding. */
    static boolean matches(List<String> expected, int e, List<String> actual, int a) {
        if (e == expected.size()) {
            return a == actual.size();
        }
        if (expected.get(e).strip().equals("...")) {
            for (int skip = a; skip <= actual.size(); skip++) {
                if (matches(expected, e + 1, actual, skip)) {
                    return true;
                }
            }
            return false;
        }
        return a < actual.size() && expected.get(e).equals(actual.get(a)) && matches(expected, e + 1, actual, a + 1);
    }
}
