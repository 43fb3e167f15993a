package io.talentpulse.skills;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A set of words, numbered, in an open-addressing table keyed by bytes. Words are stored read through
 * {@code folding} (the tokenizer's byte map, lower-cased); a posting's token is looked up where it lies in
 * the posting's folded bytes, with the hash the tokenizer computed while scanning: no String, no copy. A bitmap in front
 * turns most absent words away with one cached read; the table is flat (a slot is one long, the words'
 * bytes sit back to back), so a lookup stays in cache.
 */
final class Vocabulary {
    static final int ABSENT = -1;
    static final int EMPTY_HASH = 0x811c9dc5;
    private static final int FILTER_BITS = 1 << 16;

    private final byte[] folding;
    private final long[] filter = new long[FILTER_BITS / 64];
    private long[] slots = new long[1 << 10]; // hash << 32 | (id + 1); 0 = empty
    private byte[] bytes = new byte[1 << 12];
    private int[] offsets = new int[1 << 8];
    private int[] lengths = new int[1 << 8];
    private int size;
    private int used;

    Vocabulary(byte[] folding) {
        this.folding = folding;
    }

    /** The id of {@code word} as a token would read it, numbering it if new. */
    int add(String word) {
        byte[] key = folded(word);
        int hash = hashOf(key, 0, key.length);
        int id = find(hash, key, 0, key.length);
        if (id != ABSENT) {
            return id;
        }
        if (size == offsets.length) {
            offsets = Arrays.copyOf(offsets, 2 * size);
            lengths = Arrays.copyOf(lengths, 2 * size);
        }
        if (used + key.length > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, used + key.length));
        }
        System.arraycopy(key, 0, bytes, used, key.length);
        offsets[size] = used;
        lengths[size] = key.length;
        used += key.length;
        if (2 * (size + 1) > slots.length) {
            long[] old = slots;
            slots = new long[2 * old.length];
            for (long slot : old) {
                if (slot != 0) {
                    insert(slot);
                }
            }
        }
        insert((long) hash << 32 | (size + 1));
        filter[filterBit(hash) >>> 6] |= 1L << filterBit(hash);
        return size++;
    }

    int size() {
        return size;
    }

    /** The id of {@code word} as a token would read it, or ABSENT. */
    int find(String word) {
        byte[] key = folded(word);
        return find(key, 0, key.length);
    }

    /** The id of the folded bytes {@code folded[start, end)}, or ABSENT. */
    int find(byte[] folded, int start, int end) {
        return find(hashOf(folded, start, end), folded, start, end);
    }

    /** The same, with {@code hash} already computed over those bytes by {@link #hash(int, byte)} and {@link #finish}. */
    int find(int hash, byte[] folded, int start, int end) {
        if ((filter[filterBit(hash) >>> 6] & (1L << filterBit(hash))) == 0) {
            return ABSENT;
        }
        int mask = slots.length - 1;
        int length = end - start;
        for (int index = spread(hash) & mask; slots[index] != 0; index = (index + 1) & mask) {
            long slot = slots[index];
            if ((int) (slot >>> 32) == hash) {
                int id = (int) slot - 1;
                if (lengths[id] == length && same(folded, start, bytes, offsets[id], length)) {
                    return id;
                }
            }
        }
        return ABSENT;
    }

    /**
     * One folded byte more into a word's running hash, so a tokenizer can hash while it scans: a rotate and an
     * xor, the shortest dependency chain from byte to byte; {@link #finish} mixes the bits once per word.
     */
    static int hash(int hash, byte folded) {
        return Integer.rotateLeft(hash, 5) ^ folded;
    }

    /** The word's hash from its running hash. */
    static int finish(int hash) {
        int mixed = hash * 0x9e3779b1;
        return mixed ^ (mixed >>> 15);
    }

    private static int hashOf(byte[] folded, int start, int end) {
        int hash = EMPTY_HASH;
        for (int i = start; i < end; i++) {
            hash = hash(hash, folded[i]);
        }
        return finish(hash);
    }

    /** Whether {@code a[aStart, aStart + length)} and {@code b[bStart, bStart + length)} are the same bytes. */
    private static boolean same(byte[] a, int aStart, byte[] b, int bStart, int length) {
        for (int i = 0; i < length; i++) {
            if (a[aStart + i] != b[bStart + i]) {
                return false;
            }
        }
        return true;
    }

    private byte[] folded(String word) {
        byte[] key = word.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < key.length; i++) {
            key[i] = folding[key[i] & 0xff];
        }
        return key;
    }

    private static int filterBit(int hash) {
        return (hash >>> 7) & (FILTER_BITS - 1);
    }

    private static int spread(int hash) {
        return hash ^ (hash >>> 16);
    }

    private void insert(long slot) {
        int mask = slots.length - 1;
        int index = spread((int) (slot >>> 32)) & mask;
        while (slots[index] != 0) {
            index = (index + 1) & mask;
        }
        slots[index] = slot;
    }
}
