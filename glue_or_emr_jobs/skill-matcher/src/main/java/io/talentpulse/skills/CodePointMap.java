package io.talentpulse.skills;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The matcher's Unicode normalisation: code point -> replacement (NFKC without format characters), as
 * talent_pulse.skills.taxonomy.code_point_map() compiles it, applied to UTF-8 bytes per code point.
 * ASCII text, and text without a mapped code point, is returned as it is: no copy.
 */
final class CodePointMap {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;
    private final int[] codePoints; // sorted
    private final byte[][] replacements; // UTF-8, possibly empty

    CodePointMap(int[] codePoints, byte[][] replacements) {
        Integer[] order = new Integer[codePoints.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Integer.compare(codePoints[a], codePoints[b]));
        this.codePoints = Arrays.stream(order).mapToInt(i -> codePoints[i]).toArray();
        this.replacements = Arrays.stream(order).map(i -> replacements[i]).toArray(byte[][]::new);
    }

    /** {@code utf8} with every mapped code point replaced; the same array when none is. */
    byte[] apply(byte[] utf8) {
        int length = utf8.length;
        int i = 0;
        while (i + Long.BYTES <= length && ((long) LONGS.get(utf8, i) & HIGH_BITS) == 0) { // eight ASCII bytes
            i += Long.BYTES;
        }
        while (i < length && utf8[i] >= 0) {
            i++;
        }
        int first = -1;
        while (i < length && first < 0) {
            int size = sequenceLength(utf8, i);
            if (size > 1 && Arrays.binarySearch(codePoints, decode(utf8, i, size)) >= 0) {
                first = i;
            }
            i += size;
        }
        if (first < 0) {
            return utf8;
        }
        byte[] out = new byte[length + 16];
        System.arraycopy(utf8, 0, out, 0, first);
        int written = first;
        for (i = first; i < length; ) {
            int size = sequenceLength(utf8, i);
            int slot = size > 1 ? Arrays.binarySearch(codePoints, decode(utf8, i, size)) : -1;
            byte[] piece = slot >= 0 ? replacements[slot] : null;
            int pieceLength = piece != null ? piece.length : size;
            if (written + pieceLength > out.length) {
                out = Arrays.copyOf(out, 2 * out.length + pieceLength);
            }
            if (piece != null) {
                System.arraycopy(piece, 0, out, written, pieceLength);
            } else {
                System.arraycopy(utf8, i, out, written, size);
            }
            written += pieceLength;
            i += size;
        }
        return Arrays.copyOf(out, written);
    }

    /** Bytes in the well-formed UTF-8 sequence at {@code at}, or 1 (an ASCII byte, or a stray byte kept as is). */
    private static int sequenceLength(byte[] utf8, int at) {
        int lead = utf8[at] & 0xff;
        int size = lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 ? (lead <= 0xef ? 3 : 1) : lead >= 0xc2 ? 2 : 1;
        if (size == 1 || at + size > utf8.length) {
            return 1;
        }
        for (int k = 1; k < size; k++) {
            if ((utf8[at + k] & 0xc0) != 0x80) {
                return 1;
            }
        }
        return size;
    }

    private static int decode(byte[] utf8, int at, int size) {
        int codePoint = utf8[at] & (0xff >>> (size + 1));
        for (int k = 1; k < size; k++) {
            codePoint = (codePoint << 6) | (utf8[at + k] & 0x3f);
        }
        return codePoint;
    }
}
