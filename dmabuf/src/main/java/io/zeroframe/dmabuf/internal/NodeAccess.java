package io.zeroframe.dmabuf.internal;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.sys.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whether this process may open an allocator's device node (a dma-heap, {@code /dev/udmabuf}), and if not, why
 * and what fixes it, in one wording for every allocator the planner lists as unusable:
 * {@code /dev/dma_heap/system is root:root 0600 and this process (uid 1000, groups 44 1000) may not open it for
 * reading; add a udev rule giving a group access (SUBSYSTEM=="dma_heap", KERNEL=="system", GROUP="video",
 * MODE="0660") and run as a member of that group, or run as root}.
 *
 * <p>The check opens the node as its allocator would and closes it at once: the open is the truth (an ACL or a
 * security module may refuse what the mode allows), and opening a dma-heap or udmabuf node takes nothing (neither
 * has a master or an exclusive open). Only a refusal is then explained from {@code stat(2)} of the node (its
 * owner, group and mode, through a {@link StatusReader} that tests replace) and who this process is
 * ({@code Uid} and {@code Groups} of {@code /proc/self/status}).
 *
 * <p>Thread-safe: it keeps no state.
 */
public final class NodeAccess {
    private static final int PERMISSION_BITS = 07777;
    private static final int GROUP_SHIFT = 3;
    private static final int OWNER_SHIFT = 6;
    private static final int ROOT = 0;

    private NodeAccess() {}

    /**
     * What {@code stat(2)} says about a node that decides access.
     *
     * @param owner       the owner's name, or its number where it has none
     * @param group       the group's name, or its number
     * @param uid         the owner's number
     * @param gid         the group's number
     * @param permissions the permission bits ({@code st_mode & 07777}), e.g. {@code 0660}
     */
    public record Status(String owner, String group, int uid, int gid, int permissions) {
        public Status {
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(group, "group");
        }
    }

    /** Who a process is, for access checks: its effective uid and every group it is in (primary included). */
    public record Identity(int uid, Set<Integer> groups) {
        public Identity {
            groups = Set.copyOf(groups);
        }

        /**
         * This process, from {@code Uid:} (effective, the second field) and {@code Gid:} and {@code Groups:} of
         * {@code /proc/self/status}.
         *
         * @throws IOException if that file cannot be read or parsed
         */
        public static Identity current() throws IOException {
            int uid = -1;
            Set<Integer> groups = new LinkedHashSet<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                String[] fields = line.split("\\s+");
                switch (fields[0]) {
                    case "Uid:" -> uid = Integer.parseInt(fields[2]);
                    case "Gid:" -> groups.add(Integer.parseInt(fields[2]));
                    case "Groups:" -> List.of(fields).subList(1, fields.length)
                            .forEach(g -> groups.add(Integer.parseInt(g)));
                    default -> { }
                }
            }
            if (uid < 0) {
                throw new IOException("no Uid: line in /proc/self/status");
            }
            return new Identity(uid, groups);
        }

        /** E.g. {@code uid 1000, groups 44 1000} (groups in numeric order). */
        @Override
        public String toString() {
            return "uid " + uid + ", groups " + groups.stream().sorted().map(String::valueOf)
                    .collect(Collectors.joining(" "));
        }
    }

    /** Reads a node's {@link Status}: {@link #stat} for the real one; tests give their own. */
    @FunctionalInterface
    public interface StatusReader {
        /** The node's status, following symlinks; empty if there is no such node. */
        Optional<Status> read(Path node) throws IOException;
    }

    /**
     * How to name and fix a node of one kind of allocator.
     *
     * @param openFlags {@link Syscalls#O_RDONLY} or {@link Syscalls#O_RDWR}: how the allocator opens its node
     * @param udevMatch the udev rule's match keys for the node, e.g. {@code SUBSYSTEM=="dma_heap", KERNEL=="system"}
     * @param missing   what to say when the node does not exist, e.g. "not present: load the udmabuf module
     *                  (CONFIG_UDMABUF)"
     */
    public record Rule(int openFlags, String udevMatch, String missing) {
        public Rule {
            Objects.requireNonNull(udevMatch, "udevMatch");
            Objects.requireNonNull(missing, "missing");
        }

        /** The permission bits opening needs, in the "other" position: 4 for reading, 6 for reading and writing. */
        int needed() {
            int access = openFlags & (Syscalls.O_RDONLY | Syscalls.O_WRONLY | Syscalls.O_RDWR);
            return access == Syscalls.O_RDWR ? 6 : access == Syscalls.O_WRONLY ? 2 : 4;
        }

        String purpose() {
            return switch (needed()) {
                case 6 -> "reading and writing";
                case 2 -> "writing";
                default -> "reading";
            };
        }
    }

    /** The node's owner, group and mode from {@code stat(2)} (through symlinks); empty if it does not exist. */
    public static Optional<Status> stat(Path node) throws IOException {
        try {
            Map<String, Object> unix = Files.readAttributes(node, "unix:owner,group,uid,gid,mode");
            return Optional.of(new Status(((UserPrincipal) unix.get("owner")).getName(),
                    ((UserPrincipal) unix.get("group")).getName(), (Integer) unix.get("uid"),
                    (Integer) unix.get("gid"), (Integer) unix.get("mode") & PERMISSION_BITS));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Why this process cannot use {@code node}, with the fix; empty when it can. Opens the node with
     * {@code rule}'s flags and closes it again; a refusal (EACCES, EPERM) is explained from {@code reader}'s status
     * and {@code identity} ({@link #refusal}), a missing node with {@link Rule#missing()}, any other errno with the
     * kernel's own message.
     */
    public static Optional<String> whyUnusable(Path node, Rule rule, StatusReader reader, Identity identity) {
        try {
            Syscalls.open(node, rule.openFlags()).close();
            return Optional.empty();
        } catch (KernelException e) {
            if (e.errno() == Errno.ENOENT) {
                return Optional.of(node + " " + rule.missing());
            }
            if (e.errno() != Errno.EACCES && e.errno() != Errno.EPERM) {
                return Optional.of(e.getMessage());
            }
            try {
                Optional<Status> status = reader.read(node);
                if (status.isPresent()) {
                    return Optional.of(refusal(node, rule, status.get(), identity));
                }
            } catch (IOException | RuntimeException statFailed) {
                e.addSuppressed(statFailed);
            }
            return Optional.of(e.getMessage());
        }
    }

    /** {@link #whyUnusable(Path, Rule, StatusReader, Identity)} with the real stat and this process. */
    public static Optional<String> whyUnusable(Path node, Rule rule) {
        Identity identity;
        try {
            identity = Identity.current();
        } catch (IOException | RuntimeException e) {
            identity = new Identity(-1, Set.of());
        }
        return whyUnusable(node, rule, NodeAccess::stat, identity);
    }

    /**
     * Why {@code identity} may not open {@code node} whose status is {@code status}, and the fix: join a group the
     * mode already admits, or give a group access with a udev rule, or, when the mode admits this process
     * already, look at ACLs and the security module.
     */
    public static String refusal(Path node, Rule rule, Status status, Identity identity) {
        int needed = rule.needed();
        boolean owner = identity.uid() == status.uid();
        boolean member = identity.groups().contains(status.gid());
        boolean byOwner = owner && grants(status.permissions() >> OWNER_SHIFT, needed);
        boolean byGroup = grants(status.permissions() >> GROUP_SHIFT, needed);
        boolean byOthers = grants(status.permissions(), needed);
        StringBuilder text = new StringBuilder().append(node).append(" is ").append(status.owner()).append(':')
                .append(status.group()).append(' ').append(String.format("%04o", status.permissions()))
                .append(" and this process (").append(identity).append(") may not open it for ")
                .append(rule.purpose()).append("; ");
        if (byOwner || byOthers || member && byGroup) {
            text.append("its mode allows this, so an ACL or a security module (SELinux, AppArmor) refuses it:"
                    + " check getfacl ").append(node).append(" and the audit log");
        } else if (byGroup && status.gid() != ROOT) {
            text.append("add the user to group '").append(status.group()).append("' (usermod -aG ")
                    .append(status.group()).append(" USER, then log in again), or run as a member of it");
        } else {
            String group = status.gid() == ROOT ? "video" : status.group();
            text.append("add a udev rule giving ").append(status.gid() == ROOT ? "a group" : "its group")
                    .append(" access (").append(rule.udevMatch()).append(", GROUP=\"").append(group)
                    .append("\", MODE=\"0660\") and run as a member of that group, or run as root");
        }
        return text.toString();
    }

    private static boolean grants(int bits, int needed) {
        return (bits & needed) == needed;
    }
}
