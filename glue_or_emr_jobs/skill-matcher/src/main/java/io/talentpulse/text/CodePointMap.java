package io.talentpulse.text;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A per-code-point text map that Python compiles: code point -> replacement (possibly empty), every other
 * code point kept. The skill matcher's (talent_pulse.skills.taxonomy.code_point_map(), applied to UTF-8
 * bytes) and the gazetteer's fold (talent_pulse.gazetteer.fold_table(), applied to strings) are two such
 * maps; they differ on purpose (the matcher keeps case and marks other letters, the gazetteer lower-cases
 * and drops accents). Text without a mapped code point is returned as it is: no copy.
 */
public final class CodePointMap {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;
    private final int[] codePoints; // sorted
    private final byte[][] replacements; // UTF-8, possibly empty
    private final String[] replacementTexts;
    private final int[] asciiSlots = new int[0x80];
    private final boolean mapsAscii; // else ASCII text is skipped eight bytes at a time

    /** {@code replacements[i]} (UTF-8) replaces {@code codePoints[i]}. */
    public CodePointMap(int[] codePoints, byte[][] replacements) {
        Integer[] order = new Integer[codePoints.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Integer.compare(codePoints[a], codePoints[b]));
        this.codePoints = Arrays.stream(order).mapToInt(i -> codePoints[i]).toArray();
        this.replacements = Arrays.stream(order).map(i -> replacements[i]).toArray(byte[][]::new);
        replacementTexts = Arrays.stream(this.replacements).map(bytes -> new String(bytes, StandardCharsets.UTF_8))
            .toArray(String[]::new);
        Arrays.fill(asciiSlots, -1);
        for (int slot = 0; slot < this.codePoints.length && this.codePoints[slot] < 0x80; slot++) {
            asciiSlots[this.codePoints[slot]] = slot;
        }
        mapsAscii = this.codePoints.length > 0 && this.codePoints[0] < 0x80;
    }

    /** The index of {@code codePoint} in the map, or a negative number when it is kept. */
    private int slotOf(int codePoint) {
        return codePoint < 0x80 ? asciiSlots[codePoint] : Arrays.binarySearch(codePoints, codePoint);
    }

    /** {@code text} with every mapped code point replaced; the same string when none is. */
    public String apply(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            int slot = slotOf(codePoint);
            if (slot >= 0 && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (slot >= 0) {
                out.append(replacementTexts[slot]);
            } else if (out != null) {
                out.appendCodePoint(codePoint);
            }
            i += Character.charCount(codePoint);
        }
        return out == null ? text : out.toString();
    }

    /** {@code utf8} with every mapped code point replaced; the same array when none is. */
    public byte[] apply(byte[] utf8) {
        int length = utf8.length;
        int i = 0;
        while (!mapsAscii && i + Long.BYTES <= length && ((long) LONGS.get(utf8, i) & HIGH_BITS) == 0) {
            i += Long.BYTES; // eight ASCII bytes
        }
        while (!mapsAscii && i < length && utf8[i] >= 0) {
            i++;
        }
        int first = -1;
        while (i < length && first < 0) {
            int size = sequenceLength(utf8, i);
            if (slotAt(utf8, i, size) >= 0) {
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
            int slot = slotAt(utf8, i, size);
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

    /** The slot of the code point of {@code size} bytes at {@code at}; a stray byte (size 1, negative) is kept. */
    private int slotAt(byte[] utf8, int at, int size) {
        if (size > 1) {
            return slotOf(decode(utf8, at, size));
        }
        return utf8[at] >= 0 ? asciiSlots[utf8[at]] : -1;
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
