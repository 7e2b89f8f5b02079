import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Adds up JUnit XML reports: java TestSummary.java LABEL [--require-tests] [--forbid-skips] [--newer-than FILE] DIR...
 * Prints "LABEL: N passed, N failed, N skipped" and exits 1 on a failure (or, when asked, on no tests run or
 * any test skipped). With --newer-than, reports last modified before FILE (those of an earlier run) are left out
 * and their number is said.
 */
void main(String[] args) throws Exception {
    String label = args[0];
    boolean requireTests = false;
    boolean forbidSkips = false;
    FileTime since = null;
    List<Path> directories = new ArrayList<>();
    List<String> rest = List.of(args).subList(1, args.length);
    for (int i = 0; i < rest.size(); i++) {
        switch (rest.get(i)) {
            case "--require-tests" -> requireTests = true;
            case "--forbid-skips" -> forbidSkips = true;
            case "--newer-than" -> since = Files.getLastModifiedTime(Path.of(rest.get(++i)));
            default -> directories.add(Path.of(rest.get(i)));
        }
    }
    long stale = 0;
    long tests = 0;
    long failed = 0;
    long skipped = 0;
    var factory = DocumentBuilderFactory.newInstance();
    for (Path directory : directories) {
        if (!Files.isDirectory(directory)) {
            continue;
        }
        List<Path> reports;
        try (Stream<Path> files = Files.walk(directory)) {
            reports = files.filter(f -> f.getFileName().toString().matches("TEST-.*\\.xml")).sorted().toList();
        }
        for (Path report : reports) {
            if (since != null && Files.getLastModifiedTime(report).compareTo(since) < 0) {
                stale++;
                continue;
            }
            NodeList suites = factory.newDocumentBuilder().parse(report.toFile()).getElementsByTagName("testsuite");
            for (int i = 0; i < suites.getLength(); i++) {
                Element suite = (Element) suites.item(i);
                tests += count(suite, "tests");
                failed += count(suite, "failures") + count(suite, "errors");
                skipped += count(suite, "skipped");
            }
        }
    }
    long passed = tests - failed - skipped;
    System.out.println(label + ": " + passed + " passed, " + failed + " failed, " + skipped + " skipped"
            + (stale > 0 ? " (" + stale + " reports of an earlier run left out)" : ""));
    if (failed > 0 || (requireTests && tests == 0) || (forbidSkips && skipped > 0)) {
        if (requireTests && tests == 0) {
            System.out.println(label + ": no test ran");
        }
        if (forbidSkips && skipped > 0) {
            System.out.println(label + ": " + skipped + " tests were skipped; device tests must run");
        }
        System.exit(1);
    }
}

long count(Element suite, String attribute) {
    String value = suite.getAttribute(attribute);
    return value.isEmpty() ? 0 : Long.parseLong(value);
}
