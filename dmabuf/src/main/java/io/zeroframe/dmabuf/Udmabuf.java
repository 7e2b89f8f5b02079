package io.zeroframe.dmabuf;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.FileStatus;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.udmabuf.udmabuf_create;
import io.zeroframe.bindings.udmabuf.udmabuf_create_item;
import io.zeroframe.bindings.udmabuf.udmabuf_create_list;
import io.zeroframe.bindings.udmabuf.udmabuf_h;
import io.zeroframe.dmabuf.internal.PageSize;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns pages of a memfd into a dma-buf with {@code /dev/udmabuf}: memory the application already has (and can
 * keep writing through the memfd or a mapping of it) becomes importable by V4L2 and DRM devices without a copy.
 *
 * <p>The kernel's rules: the memfd must be sealed with {@code F_SEAL_SHRINK} and must not be sealed with
 * {@code F_SEAL_WRITE}; offsets and sizes must be multiples of the page size and lie within the memfd; the total
 * is limited by the module parameter {@code udmabuf.size_limit_mb} (64 MiB by default). A rejected request
 * fails with the kernel's errno (EINVAL for most rules, EBADFD for an fd that is not a memfd) and a message that
 * says which rule the request broke.
 *
 * {@snippet :
 * try (Memfd memory = Memfd.create("frames", size);           // sized and sealed as udmabuf requires
 *      DmaBuf buffer = Udmabuf.create(memory.fd(), 0, size)) {  // or memory.toDmaBuf()
 *     // hand buffer.fd() to a device
 * }
 * }
 *
 * <p>Thread-safe: it keeps no state; each call opens and closes {@code /dev/udmabuf}.
 */
public final class Udmabuf {
    /** Where the udmabuf misc device lives. */
    public static final Path DEVICE = Path.of("/dev/udmabuf");
    static final IoctlRequest UDMABUF_CREATE = IoctlRequest.of("UDMABUF_CREATE", udmabuf_h.UDMABUF_CREATE());
    static final IoctlRequest UDMABUF_CREATE_LIST =
            IoctlRequest.of("UDMABUF_CREATE_LIST", udmabuf_h.UDMABUF_CREATE_LIST());

    private Udmabuf() {}

    /**
     * One piece of a {@link #createList} buffer: {@code size} bytes of {@code memfd} from {@code offset}.
     *
     * @param memfd  borrowed: stays owned by the caller, who may close it once the dma-buf exists (the kernel
     *               holds the pages)
     * @param offset a multiple of the page size
     * @param size   a positive multiple of the page size
     */
    public record Region(OwnedFd memfd, long offset, long size) {
        public Region {
            Objects.requireNonNull(memfd, "memfd");
        }
    }

    /**
     * A dma-buf over {@code size} bytes of {@code memfd} from {@code offset} ({@code UDMABUF_CREATE} on
     * {@code /dev/udmabuf}, close-on-exec).
     *
     * @param memfd borrowed: stays owned by the caller, who may close it once this returns
     * @throws KernelException EINVAL for a range that is not page aligned, empty, outside the memfd, a memfd
     *                         without {@code F_SEAL_SHRINK} or with {@code F_SEAL_WRITE}; EBADFD for an fd that
     *                         is not a memfd; ENOENT or {@link io.zeroframe.bindings.DevicePermissionException}
     *                         when {@code /dev/udmabuf} is missing or not accessible
     */
    public static DmaBuf create(OwnedFd memfd, long offset, long size) throws KernelException {
        Objects.requireNonNull(memfd, "memfd");
        int rawMemfd = memfd.beginUse(UDMABUF_CREATE.name());
        try (OwnedFd device = Syscalls.open(DEVICE, Syscalls.O_RDWR); Arena arena = Arena.ofConfined()) {
            MemorySegment request = udmabuf_create.allocate(arena);
            udmabuf_create.memfd(request, rawMemfd);
            udmabuf_create.flags(request, udmabuf_h.UDMABUF_FLAGS_CLOEXEC());
            udmabuf_create.offset(request, offset);
            udmabuf_create.size(request, size);
            int result = Syscalls.tryIoctl(device, UDMABUF_CREATE, request);
            if (result < 0) {
                throw failure(UDMABUF_CREATE, -result, List.of(new Region(memfd, offset, size)));
            }
            return DmaBuf.wrap(OwnedFd.adopt(result, "udmabuf (" + memfd.path() + ")"));
        } finally {
            memfd.endUse();
        }
    }

    /**
     * One dma-buf over several memfd ranges, in order ({@code UDMABUF_CREATE_LIST}, close-on-exec).
     *
     * @param regions at least one; their memfds are borrowed
     * @throws IllegalArgumentException for an empty list
     * @throws KernelException as for {@link #create}, naming the region that broke a rule
     */
    public static DmaBuf createList(List<Region> regions) throws KernelException {
        if (regions.isEmpty()) {
            throw new IllegalArgumentException("UDMABUF_CREATE_LIST needs at least one region");
        }
        long itemSize = udmabuf_create_item.layout().byteSize();
        long header = udmabuf_create_list.layout().byteSize();
        int begun = 0;
        try (OwnedFd device = Syscalls.open(DEVICE, Syscalls.O_RDWR); Arena arena = Arena.ofConfined()) {
            MemorySegment request = arena.allocate(header + itemSize * regions.size(),
                    udmabuf_create_list.layout().byteAlignment());
            udmabuf_create_list.flags(request, udmabuf_h.UDMABUF_FLAGS_CLOEXEC());
            udmabuf_create_list.count(request, regions.size());
            for (int i = 0; i < regions.size(); i++) {
                Region region = regions.get(i);
                MemorySegment item = request.asSlice(header + i * itemSize, itemSize);
                udmabuf_create_item.memfd(item, region.memfd().beginUse(UDMABUF_CREATE_LIST.name()));
                begun++;
                udmabuf_create_item.offset(item, region.offset());
                udmabuf_create_item.size(item, region.size());
            }
            int result = Syscalls.tryIoctl(device, UDMABUF_CREATE_LIST, request);
            if (result < 0) {
                throw failure(UDMABUF_CREATE_LIST, -result, regions);
            }
            return DmaBuf.wrap(OwnedFd.adopt(result, "udmabuf (" + regions.size() + " regions)"));
        } finally {
            for (int i = 0; i < begun; i++) {
                regions.get(i).memfd().endUse();
            }
        }
    }

    /** The kernel's errno, with the udmabuf rules the request broke, as far as they can be seen from here. */
    private static KernelException failure(IoctlRequest request, int errno, List<Region> regions) {
        List<String> broken = new ArrayList<>();
        long page = PageSize.get();
        for (int i = 0; i < regions.size(); i++) {
            Region region = regions.get(i);
            String which = regions.size() == 1 ? "" : "region " + i + ": ";
            String fd = region.memfd().path();
            if (region.offset() < 0) {
                broken.add(which + "offset " + region.offset() + " is negative");
            } else if (region.offset() % page != 0) {
                broken.add(which + "offset " + region.offset() + " is not a multiple of the page size " + page);
            }
            if (region.size() <= 0 || region.size() % page != 0) {
                broken.add(which + "size " + region.size() + " is not a positive multiple of the page size " + page);
            }
            if (region.offset() > 0 && region.size() > 0 && region.offset() + region.size() < 0) {
                broken.add(which + "offset + size overflows a 64-bit file offset");
            }
            if (!region.memfd().isOpen()) {
                broken.add(which + fd + " is closed");
                continue;
            }
            int seals;
            try {
                seals = Syscalls.fcntl(region.memfd(), Syscalls.F_GET_SEALS, 0);
            } catch (KernelException e) {
                broken.add(which + fd + " is not a memfd (F_GET_SEALS: " + e.errnoName() + ")");
                continue;
            }
            if ((seals & Syscalls.F_SEAL_SHRINK) == 0) {
                broken.add(which + fd + " is not sealed with F_SEAL_SHRINK (create it with MFD_ALLOW_SEALING,"
                        + " then fcntl(F_ADD_SEALS, F_SEAL_SHRINK))");
            }
            if ((seals & Syscalls.F_SEAL_WRITE) != 0) {
                broken.add(which + fd + " is sealed with F_SEAL_WRITE, which udmabuf refuses");
            }
            try {
                FileStatus status = Syscalls.fstat(region.memfd());
                if (region.offset() >= 0 && region.size() > 0 && region.offset() + region.size() > 0
                        && region.offset() + region.size() > status.size()) {
                    broken.add(which + "offset + size " + (region.offset() + region.size()) + " is beyond the end of "
                            + fd + " (" + status.size() + " bytes)");
                }
            } catch (KernelException ignored) {
                // the seal check above already explained this fd
            }
        }
        String detail = broken.isEmpty() ? null : String.join("; ", broken);
        if (detail == null && errno == Errno.EINVAL) {
            detail = "the total may exceed udmabuf.size_limit_mb or udmabuf.list_limit";
        }
        return KernelException.of(request.name(), DEVICE.toString(), errno, detail);
    }
}
