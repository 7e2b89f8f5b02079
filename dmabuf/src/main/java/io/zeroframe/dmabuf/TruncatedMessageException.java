package io.zeroframe.dmabuf;

import java.io.IOException;
import java.io.Serial;

/**
 * A message arrived on an {@link FdChannel} cut short by the kernel: its bytes did not fit ({@code MSG_TRUNC}),
 * or not all of its fds could be installed ({@code MSG_CTRUNC}: typically this process reached its fd limit,
 * {@code RLIMIT_NOFILE}). The message is lost; the fds that did arrive were closed. The channel stays usable:
 * the next {@link FdChannel#receive()} returns the next message.
 */
public final class TruncatedMessageException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    TruncatedMessageException(String message) {
        super(message);
    }
}
