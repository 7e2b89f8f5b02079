package io.zeroframe.dmabuf;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.dmabuf.internal.Names;
import io.zeroframe.dmabuf.internal.PageSize;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Anonymous memory ({@code memfd_create}) sized and sealed so that {@link Udmabuf} can make a dma-buf of it:
 * the application writes frames into {@link #map mapped} memory it owns, and devices import the same pages.
 *
 * {@snippet :
 * try (Memfd memory = Memfd.create("frames", 4 << 20);
 *      DmaBuf buffer = memory.toDmaBuf();                  // UDMABUF_CREATE: same pages, no copy
 *      Arena arena = Arena.ofConfined()) {
 *     MemorySegment pixels = memory.map(arena);
 *     pixels.fill((byte) 0x80);                            // visible through buffer, to any importer
 * }
 * }
 *
 * <p>Owns its fd; {@link #close()} is idempotent. Dma-bufs made from it stay valid after it closes (the kernel
 * holds the pages). Thread-safe; {@link #close()} may race any use.
 */
public final class Memfd implements AutoCloseable {
    /**
     * The longest name {@code memfd_create} takes: {@code MFD_NAME_MAX_LEN}, 249 bytes (NAME_MAX minus the
     * "memfd:" prefix; mm/memfd.c, not in the uAPI headers).
     */
    public static final int NAME_MAX_BYTES = Syscalls.MFD_NAME_MAX_LEN;
    private final OwnedFd fd;
    private final long size;

    private Memfd(OwnedFd fd, long size) {
        this.fd = fd;
        this.size = size;
    }

    /**
     * A memfd of {@code size} bytes, zero-filled, sealed against shrinking and growing ({@code F_SEAL_SHRINK},
     * {@code F_SEAL_GROW}, as udmabuf requires), close-on-exec.
     *
     * @param name shows in /proc/self/fd as {@code /memfd:NAME}; at most {@value #NAME_MAX_BYTES} UTF-8 bytes
     *             ({@code MFD_NAME_MAX_LEN}), no NUL
     * @param size a positive multiple of the page size (udmabuf maps whole pages)
     * @throws IllegalArgumentException for a size that is not a positive multiple of the page size, a name that
     *                                  is too long or contains NUL
     * @throws KernelException {@code ftruncate} ENOSPC or ENOMEM, {@code fcntl} when sealing fails
     */
    public static Memfd create(String name, long size) throws KernelException {
        Names.encode(name, NAME_MAX_BYTES + 1, "memfd_create: memfd name (MFD_NAME_MAX_LEN " + NAME_MAX_BYTES + ")");
        long page = PageSize.get();
        if (size <= 0 || size % page != 0) {
            throw new IllegalArgumentException("memfd " + name + ": size " + size
                    + " is not a positive multiple of the page size " + page);
        }
        OwnedFd fd = Syscalls.memfdCreate(name, Syscalls.MFD_ALLOW_SEALING);
        try {
            Syscalls.ftruncate(fd, size);
            Syscalls.fcntl(fd, Syscalls.F_ADD_SEALS, Syscalls.F_SEAL_SHRINK | Syscalls.F_SEAL_GROW);
            return new Memfd(fd, size);
        } catch (KernelException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** The size in bytes, fixed by the seals. */
    public long size() {
        return size;
    }

    /**
     * Maps the whole memfd read-write ({@code MAP_SHARED}); unmapped when {@code arena} closes.
     *
     * @throws KernelException EBADF once closed
     */
    public MemorySegment map(Arena arena) throws KernelException {
        Objects.requireNonNull(arena, "arena");
        return Syscalls.mmap(fd, "mmap", 0, size, Syscalls.PROT_READ | Syscalls.PROT_WRITE, Syscalls.MAP_SHARED,
                arena);
    }

    /** A dma-buf over all of this memory ({@link Udmabuf#create}); it shares the pages. */
    public DmaBuf toDmaBuf() throws KernelException {
        return Udmabuf.create(fd, 0, size);
    }

    /**
     * The owned fd, borrowed: for {@link Udmabuf.Region} and {@link Udmabuf#create} with an offset. Stays owned
     * by this object.
     */
    public OwnedFd fd() {
        return fd;
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "Memfd[" + fd + ", " + size + " bytes]";
    }
}
