package io.zeroframe.heaps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.UdmabufAllocator;
import io.zeroframe.dmabuf.internal.NodeAccess;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.dmabuf.negotiation.BufferSink;
import io.zeroframe.dmabuf.negotiation.Candidate;
import io.zeroframe.dmabuf.negotiation.DeviceTrials;
import io.zeroframe.dmabuf.negotiation.Endpoint;
import io.zeroframe.dmabuf.negotiation.FormatLimits;
import io.zeroframe.dmabuf.negotiation.FormatOffer;
import io.zeroframe.dmabuf.negotiation.Plan;
import io.zeroframe.dmabuf.negotiation.Planner;
import io.zeroframe.dmabuf.negotiation.Role;
import io.zeroframe.dmabuf.negotiation.TrialResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link DeviceTrials} with the real allocators of the test bed (the system heap from {@link Heaps#allocators()},
 * udmabuf from {@link UdmabufAllocator#describe()}) and two endpoints described by hand whose sinks are plain
 * classes here: a writer that fills the trial frame through a mapping, and a checker that maps it and reads every
 * byte back. The planner proves its candidate on real dma-bufs, and nothing is left open after planning.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class HeapTrialsDeviceTest {
    private static final int WIDTH = 300;
    private static final int HEIGHT = 200;
    private static final FormatLimits PITCH_64 = FormatLimits.builder().pitchAlignment(64).build();

    private static final Endpoint WRITER = Endpoint.builder("pattern writer", Role.PRODUCER)
            .offer(FormatOffer.linear(PixelFormat.XRGB8888, PITCH_64))
            .offer(FormatOffer.linear(PixelFormat.NV12, PITCH_64))
            .imports(true).holds(2).build();
    private static final Endpoint CHECKER = Endpoint.builder("pattern checker", Role.CONSUMER)
            .offer(FormatOffer.linear(PixelFormat.XRGB8888)).imports(true).holds(1).build();

    /** The producer's side: checks the frame sits where the candidate says, then writes the pattern into it. */
    private static final class WriterSink implements BufferSink {
        final List<String> imported = new ArrayList<>();

        @Override
        public Endpoint endpoint() {
            return WRITER;
        }

        @Override
        public TrialResult importFrame(Frame frame, Candidate candidate) {
            Optional<String> misplaced = FramePattern.layoutMismatch(frame, candidate.layout());
            if (misplaced.isPresent()) {
                return TrialResult.notFixable("import", "EINVAL", misplaced.get());
            }
            try {
                FramePattern.write(frame, 42);
            } catch (KernelException e) {
                return TrialResult.refused(e, TrialResult.Outcome.NOT_FIXABLE, "writing the pattern failed");
            }
            imported.add(candidate.toString());
            return TrialResult.ACCEPTED;
        }

        @Override
        public void release() {}
    }

    /** The consumer's side: reads every byte of the frame back; optionally refuses buffers of one kind. */
    private static final class CheckerSink implements BufferSink {
        final Optional<Allocator.Source> refused;
        final List<String> checked = new ArrayList<>();
        int released;

        CheckerSink(Optional<Allocator.Source> refused) {
            this.refused = refused;
        }

        @Override
        public Endpoint endpoint() {
            return CHECKER;
        }

        @Override
        public TrialResult importFrame(Frame frame, Candidate candidate) {
            if (refused.filter(candidate.allocator().source()::equals).isPresent()) {
                return TrialResult.fixable("import", "ENODEV", "the checker refuses foreign buffers");
            }
            try {
                Optional<String> wrong = FramePattern.mismatch(frame, 42);
                if (wrong.isPresent()) {
                    return TrialResult.notFixable("read", "EIO", wrong.get());
                }
            } catch (KernelException e) {
                return TrialResult.refused(e, TrialResult.Outcome.NOT_FIXABLE, "reading the pattern failed");
            }
            checked.add(candidate.toString());
            return TrialResult.ACCEPTED;
        }

        @Override
        public void release() {
            released++;
        }
    }

    @Test
    void thePlanTakesTheSystemHeapProvedOnARealBuffer() throws Exception {
        WriterSink writer = new WriterSink();
        CheckerSink checker = new CheckerSink(Optional.empty());
        Plan plan = plan(writer, checker);
        assertEquals(Plan.Kind.ZERO_COPY, plan.kind());
        assertEquals(Allocator.heap("system", false), plan.allocator());
        assertEquals(List.of(), plan.reasons());
        assertEquals(PixelFormat.XRGB8888, plan.chosen().format());
        assertEquals(1216, plan.layout().plane(0).pitch(), "1200 bytes aligned to the writer's 64");
        assertEquals(List.of("pattern writer", "pattern checker"), plan.importers());
        assertEquals(4, plan.count(), plan.countReason());
        assertEquals(List.of("XRGB8888 LINEAR pitch 1216 from dma-heap system"), writer.imported);
        assertEquals(writer.imported, checker.checked);
        assertEquals(1, checker.released);
        assertNothingOpen();
    }

    @Test
    void aConsumerThatRefusesHeapBuffersGetsUdmabufWithTheRefusalExplained() throws Exception {
        WriterSink writer = new WriterSink();
        CheckerSink checker = new CheckerSink(Optional.of(Allocator.Source.DMA_HEAP));
        Plan plan = plan(writer, checker);
        assertEquals(Allocator.udmabuf(), plan.allocator());
        assertEquals(List.of("XRGB8888 LINEAR pitch 1216 from dma-heap system: pattern checker: import of a"
                + " dma-heap buffer: ENODEV, the checker refuses foreign buffers"), plan.reasons());
        assertEquals(List.of("XRGB8888 LINEAR pitch 1216 from dma-heap system",
                "XRGB8888 LINEAR pitch 1216 from udmabuf"), writer.imported);
        assertEquals(List.of("XRGB8888 LINEAR pitch 1216 from udmabuf"), checker.checked);
        assertEquals(2, checker.released, "one release per candidate tried");
        assertNothingOpen();
    }

    @Test
    void aHeapThisUserMayNotOpenIsSkippedWithItsReason() throws Exception {
        WriterSink writer = new WriterSink();
        CheckerSink checker = new CheckerSink(Optional.empty());
        List<Allocator> locked = Heaps.allocators(HeapAllocatorsDeviceTest.LOCKED, HeapHints.KERNEL,
                NodeAccess::stat, NodeAccess.Identity.current());
        Plan plan = plan(writer, checker, locked);
        assertEquals(Allocator.udmabuf(), plan.allocator());
        assertEquals(List.of("dma-heap system: not usable: " + locked.getFirst().unusable().orElseThrow()),
                plan.reasons());
        assertTrue(plan.explain().contains("not usable: /run/zf-locked/dma_heap/system is root:root 0600"),
                plan.explain());
        assertEquals(List.of("XRGB8888 LINEAR pitch 1216 from udmabuf"), writer.imported);
        assertNothingOpen();
    }

    private static Plan plan(WriterSink writer, CheckerSink checker) throws Exception {
        return plan(writer, checker, Heaps.allocators());
    }

    /** Plans with {@code heaps} and udmabuf, with a source for each usable one. */
    private static Plan plan(WriterSink writer, CheckerSink checker, List<Allocator> heaps) throws Exception {
        Planner.Builder planner = Planner.builder(WIDTH, HEIGHT).producer(WRITER).consumer(CHECKER);
        DeviceTrials.Builder trials = DeviceTrials.builder().sink(writer).sink(checker);
        List<Allocator> allocators = new ArrayList<>(heaps);
        allocators.add(UdmabufAllocator.describe());
        for (Allocator allocator : allocators) {
            planner.allocator(allocator);
            if (allocator.usable()) {
                trials.source(allocator.source() == Allocator.Source.DMA_HEAP ? Heaps.source(allocator)
                        : UdmabufAllocator.source());
            }
        }
        return planner.build().plan(trials.build());
    }

    private static void assertNothingOpen() {
        Map<Integer, String> fds = ProcessFds.list();
        assertFalse(fds.values().stream().anyMatch(t -> t.startsWith("/dev/dma_heap") || t.startsWith("/dmabuf:")
                || t.startsWith("/memfd:") || t.equals("/dev/udmabuf")), fds.toString());
        assertEquals(0, ProcessFds.mappingsOf("/dmabuf:"));
    }
}
