package io.zeroframe.dmabuf.internal;

/** Four-character codes as the kernel packs them: the first character in the lowest byte. */
public final class FourCc {
    private FourCc() {}

    /** The code for four printable ASCII characters, like the kernel's {@code fourcc_code(a, b, c, d)}. */
    public static int of(String name) {
        if (name.length() != 4) {
            throw new IllegalArgumentException("a fourcc has 4 characters: '" + name + "'");
        }
        int code = 0;
        for (int i = 3; i >= 0; i--) {
            char c = name.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException("a fourcc is printable ASCII: '" + name + "'");
            }
            code = code << 8 | c;
        }
        return code;
    }

    /** The four characters, with non-printable bytes as {@code \xNN}. */
    public static String name(int code) {
        StringBuilder name = new StringBuilder(4);
        for (int i = 0; i < 4; i++) {
            int c = code >>> (8 * i) & 0xff;
            if (c >= 0x20 && c <= 0x7e) {
                name.append((char) c);
            } else {
                name.append(String.format("\\x%02x", c));
            }
        }
        return name.toString();
    }
}
