package io.zeroframe.v4l2.control;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.v4l2.internal.VideoNode;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The node's control list as last enumerated, and lookups by name and id: enumerated again when the node's
 * settings generation moved (another input, output, standard or DV timings) or after {@link #invalidate()}.
 * Thread-safe: the snapshot is replaced whole.
 */
final class ControlList {
    private final VideoNode device;

    /** The enumerated list and the node's {@link VideoNode#settingsGeneration()} it was enumerated at. */
    private record Snapshot(long generation, List<ControlInfo> controls) {}

    private volatile Snapshot snapshot;

    ControlList(VideoNode device) {
        this.device = device;
    }

    VideoNode node() {
        return device;
    }

    /** The list (see {@link Controls#list()}), enumerated again when it may be stale. */
    List<ControlInfo> list() throws KernelException {
        Snapshot s = snapshot;
        if (s == null || s.generation() != device.settingsGeneration()) {
            return refresh();
        }
        return s.controls();
    }

    /** Enumerates now and keeps the result. */
    List<ControlInfo> refresh() throws KernelException {
        long generation = device.settingsGeneration();
        List<ControlInfo> controls = ControlQuery.enumerate(device);
        snapshot = new Snapshot(generation, controls);
        return controls;
    }

    /** Makes the next {@link #list()} enumerate again: a write may have changed other controls. */
    void invalidate() {
        snapshot = null;
    }

    /** See {@link Controls#find(String)}. */
    ControlInfo find(String name) throws KernelException {
        return lookup(name).orElseThrow(
                () -> new IllegalArgumentException(unknown("no control named \"" + name + "\"")));
    }

    /** See {@link Controls#lookup(String)}. */
    Optional<ControlInfo> lookup(String name) throws KernelException {
        List<ControlInfo> controls = list();
        for (ControlInfo c : controls) {
            if (!c.isClassHeading() && c.name().equals(name)) {
                return Optional.of(c);
            }
        }
        for (ControlInfo c : controls) {
            if (!c.isClassHeading() && (c.key().equals(name) || c.name().equalsIgnoreCase(name))) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** See {@link Controls#find(int)}. */
    ControlInfo find(int id) throws KernelException {
        for (ControlInfo c : list()) {
            if (c.id() == id) {
                return c;
            }
        }
        throw new IllegalArgumentException(unknown(String.format("no control with id 0x%08x", id)));
    }

    private String unknown(String what) {
        String all;
        try {
            all = list().stream().filter(c -> !c.isClassHeading()).map(ControlInfo::key)
                    .collect(Collectors.joining(", "));
        } catch (KernelException e) {
            all = "(cannot list them: " + e.getMessage() + ")";
        }
        return what + " on " + device.path() + " (" + device.identity() + "); its controls: "
                + (all.isEmpty() ? "none" : all);
    }
}
