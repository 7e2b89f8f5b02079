package io.zeroframe.samples.info;

import com.fasterxml.jackson.jr.ob.JSON;
import io.zeroframe.samples.CommandLines;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code info}: prints what Zeroframe sees on this machine, as {@code v4l2-ctl --all} and {@code drm_info} do:
 * dma-heaps (usable or not, and why), udmabuf, every video node (capabilities, inputs, each queue's formats with
 * frame sizes and intervals, memory types and buffer limits, controls with values and ranges), every DRM device
 * (driver, version, capabilities) and, with {@code --kms}, each card's connectors with modes, encoders, CRTCs and
 * planes with formats, modifiers and properties. {@code --json} writes the same as one JSON document
 * ({@link JsonReport} documents its structure).
 *
 * <p>Exit status: 0 when every device was read; 1 when some could not be (each failure is one line on stderr, and
 * the rest is still printed); 2 for a usage error. Run it with {@code scripts/info} or
 * {@code java -jar samples/target/zeroframe-info.jar}.
 *
 * {@snippet lang=shell :
 * scripts/info                 # text
 * scripts/info --kms --json    # everything, for programs
 * }
 */
@Command(name = "info", mixinStandardHelpOptions = true, version = "Zeroframe info 0.1.0",
        description = {"Prints what Zeroframe sees: dma-heaps, udmabuf, V4L2 video nodes and DRM devices.",
                "Primary DRM nodes (/dev/dri/cardN) are opened only with --kms: the first process to open one"
                        + " becomes DRM master."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:every device was read", "1:some device could not be read (one line each on stderr)",
                "2:usage error"})
public final class Info implements Callable<Integer> {
    @Option(names = "--json", description = "One JSON document instead of text (structure: \"format\": "
            + JsonReport.FORMAT + "; fields are only added within a format).")
    boolean json;

    @Option(names = "--kms", description = "Also open each card's primary node and list its connectors, modes,"
            + " encoders, CRTCs, planes and properties.")
    boolean kms;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs {@code info} with {@code args}, printing to {@link System#out} and {@link System#err}; the exit status. */
    public static int run(String... args) {
        return CommandLines.oneLineErrors("info", new Info()).execute(args);
    }

    @Override
    public Integer call() throws IOException {
        Survey survey = Survey.take(kms);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(JsonReport.of(survey)));
        } else {
            out.print(TextReport.of(survey, kms));
        }
        out.flush();
        List<String> errors = survey.errors();
        errors.forEach(e -> spec.commandLine().getErr().println("info: " + e));
        return errors.isEmpty() ? 0 : 1;
    }
}
