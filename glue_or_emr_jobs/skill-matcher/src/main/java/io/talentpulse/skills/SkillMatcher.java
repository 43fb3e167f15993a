package io.talentpulse.skills;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The skill matcher of talent_pulse/skills/matcher.py, step for step, over the tables
 * {@code SkillMatcher.compiled_tables()} exports there. The Python class documents the rules;
 * this one only has to agree with it, which tests/integration/test_skills_spark.py checks on the
 * labelled cases and on generated postings.
 *
 * <p>Speed: tokens are found in one pass over the UTF-8 bytes and never copied; words are numbered
 * ({@link Vocabulary}) so the rules compare ints. Each token is looked up among the words that can start
 * or continue a match; the words only context rules read (context, not_followed_by, not_preceded_by) are
 * looked up for the few tokens around an ambiguous form, and glued-version forms only for tokens with a
 * digit or a dash.
 */
public final class SkillMatcher {
    static final String FORMAT = "talent-pulse-skill-tables\t1";
    private static final String[] NONE = new String[0];
    private static final int NO_NAME = -1;
    private static final int NOT_LOOKED_UP = -2;
    private static final byte SPACE = ' ';

    private record Phrase(int[] tokens, int name) { }

    /** accepted: the original-case spellings that may count, null when any case may; the sets hold neighbour ids. */
    private record Rule(int name, byte[][] accepted, BitSet context, BitSet notFollowedBy, BitSet notPrecededBy) { }

    private final byte[] separators = new byte[256];
    private final byte[] folding = new byte[256]; // separators, then lower case
    private final byte[] kinds = new byte[256]; // what each byte is to the tokenizer
    private static final byte LETTER = 0;
    private static final byte DIGIT_OR_DASH = 1;
    private static final byte BLANK = 2;
    private static final byte HASH = 3;
    private static final byte COMMA = 4;
    private static final byte DOT = 5;
    private final Vocabulary matchWords = new Vocabulary(folding);
    private final Vocabulary attachedWords = new Vocabulary(folding);
    private final Vocabulary neighbourWords = new Vocabulary(folding);
    private final ThreadLocal<Tokens> buffers = ThreadLocal.withInitial(Tokens::new);
    private final String[] names;
    private final int window;
    private final int neighbourWindow;
    private final Pattern versionToken;
    private final int sentenceEnd;
    private final byte[][] compoundSuffixes;
    // Indexed by matchWords id:
    private final Phrase[][] phrasesByFirst;
    private final Rule[] ambiguous;
    private final int[] single;
    private final boolean[] positional;
    private final boolean[] inner;
    private final boolean[] key;
    // Indexed by attachedWords id:
    private final int[] whole;
    private final int[] unversioned;

    public SkillMatcher(String tables) {
        String[] lines = tables.split("\n");
        if (lines.length == 0 || !lines[0].equals(FORMAT)) {
            throw new IllegalArgumentException("skill tables must start with '" + FORMAT.replace('\t', ' ')
                + "': build them with talent_pulse.skills.default_matcher().compiled_tables() of the same release");
        }
        Map<String, String> settings = new HashMap<>();
        List<String> nameList = new ArrayList<>();
        List<String[]> records = new ArrayList<>();
        for (int number = 1; number < lines.length; number++) {
            String[] fields = lines[number].split("\t", -1);
            switch (fields[0]) {
                case "window", "neighbour_window", "version_token", "sentence_end", "compound_suffixes", "separators" ->
                    settings.put(fields[0], fields[1]);
                case "name" -> nameList.add(fields[1]);
                case "phrase", "single", "ambiguous", "whole", "unversioned", "positional", "inner" -> records.add(fields);
                default -> throw new IllegalArgumentException("skill tables line " + (number + 1)
                    + ": unknown record '" + fields[0] + "'; the jar and the Python package are from different releases");
            }
        }
        names = nameList.toArray(NONE);
        window = Integer.parseInt(settings.get("window"));
        neighbourWindow = Integer.parseInt(settings.get("neighbour_window"));
        versionToken = Pattern.compile(settings.get("version_token"));
        compoundSuffixes = Arrays.stream(settings.get("compound_suffixes").split("\u001f"))
            .map(suffix -> suffix.getBytes(StandardCharsets.ISO_8859_1)).toArray(byte[][]::new);
        String hex = settings.get("separators");
        for (int b = 0; b < 256; b++) {
            separators[b] = (byte) Integer.parseInt(hex.substring(2 * b, 2 * b + 2), 16);
            folding[b] = (separators[b] >= 'A' && separators[b] <= 'Z') ? (byte) (separators[b] + 32) : separators[b];
            kinds[b] = switch (folding[b]) {
                case SPACE -> BLANK;
                case '#' -> HASH;
                case ',' -> COMMA;
                case '.' -> DOT;
                case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> DIGIT_OR_DASH;
                default -> LETTER;
            };
        }
        for (String[] fields : records) {
            switch (fields[0]) {
                case "phrase" -> {
                    matchWords.add(fields[1]);
                    Arrays.stream(fields[3].split(" ")).forEach(matchWords::add);
                }
                case "ambiguous" -> {
                    matchWords.add(fields[1]);
                    for (int field = 4; field <= 6; field++) {
                        words(fields[field]).forEach(neighbourWords::add);
                    }
                }
                case "whole", "unversioned" -> attachedWords.add(fields[1]);
                default -> matchWords.add(fields[1]);
            }
        }
        sentenceEnd = matchWords.add(settings.get("sentence_end"));
        int count = matchWords.size();
        phrasesByFirst = new Phrase[count][];
        ambiguous = new Rule[count];
        single = filled(count);
        positional = new boolean[count];
        inner = new boolean[count];
        key = new boolean[count];
        whole = filled(attachedWords.size());
        unversioned = filled(attachedWords.size());
        Map<Integer, List<Phrase>> phrases = new HashMap<>();
        for (String[] fields : records) {
            switch (fields[0]) {
                case "phrase" -> phrases.computeIfAbsent(id(matchWords, fields[1]), first -> new ArrayList<>()).add(
                    new Phrase(Arrays.stream(fields[3].split(" ")).mapToInt(word -> id(matchWords, word)).toArray(),
                        Integer.parseInt(fields[2])));
                case "single" -> single[id(matchWords, fields[1])] = Integer.parseInt(fields[2]);
                case "ambiguous" -> ambiguous[id(matchWords, fields[1])] = new Rule(Integer.parseInt(fields[2]),
                    fields[3].equals("*") ? null
                        : words(fields[3]).stream().map(word -> word.getBytes(StandardCharsets.ISO_8859_1)).toArray(byte[][]::new),
                    neighbourSet(fields[4]), neighbourSet(fields[5]), neighbourSet(fields[6]));
                case "whole" -> whole[id(attachedWords, fields[1])] = Integer.parseInt(fields[2]);
                case "unversioned" -> unversioned[id(attachedWords, fields[1])] = Integer.parseInt(fields[2]);
                case "positional" -> positional[id(matchWords, fields[1])] = true;
                case "inner" -> inner[id(matchWords, fields[1])] = true;
                default -> throw new IllegalStateException(fields[0]);
            }
        }
        phrases.forEach((first, list) -> phrasesByFirst[first] = list.toArray(new Phrase[0]));
        for (int word = 0; word < count; word++) {
            key[word] = phrasesByFirst[word] != null || ambiguous[word] != null;
        }
    }

    private static List<String> words(String field) {
        return field.isEmpty() ? List.of() : Arrays.asList(field.split("\u001f"));
    }

    private static int id(Vocabulary vocabulary, String word) {
        byte[] bytes = word.getBytes(StandardCharsets.ISO_8859_1);
        return vocabulary.find(bytes, 0, bytes.length);
    }

    private BitSet neighbourSet(String field) {
        BitSet set = new BitSet();
        words(field).forEach(word -> set.set(id(neighbourWords, word)));
        return set;
    }

    private static int[] filled(int size) {
        int[] array = new int[size];
        Arrays.fill(array, NO_NAME);
        return array;
    }

    /**
     * A posting's tokens as matcher.py's normalise + split makes them, found in one pass over the UTF-8
     * bytes: bytes map through the separator table (a space or a kept byte); a '#' right after a space is
     * dropped (a hashtag); ',' and a '.' before a space are tokens of their own; spaces end tokens. A token
     * is the range [start, end) of the input; its bytes are never copied.
     */
    private final class Tokens {
        byte[] text;
        int[] starts = new int[0];
        int[] ends = starts;
        int[] hashes = starts;
        int[] ids = starts; // matchWords ids, Vocabulary.ABSENT for others
        int[] neighbourIds = starts; // looked up on demand
        int count;
        int[] keyTokens = starts; // positions of tokens that are keys (start a phrase, or an ambiguous form)
        int keyCount;
        boolean anyPositional;
        int[] flaggedTokens = starts; // positions of tokens with a digit or a dash
        int flaggedCount;
        // The matching's working lists, as arrays reused from posting to posting:
        int[] spanStarts = starts;
        int[] spanEnds = starts;
        int spans;
        int[] pending = starts; // positions of ambiguous forms waiting for their context check
        int pendingCount;
        int[] matched = starts; // positions of matched phrases and one-token aliases
        int matchedCount;
        final Matcher version = versionToken.matcher("");
        final TokenText versionText = new TokenText();
        byte[] stripped = new byte[0]; // a token without its digits
        final BitSet found = new BitSet();

        /** Tokenize {@code utf8} into this thread's buffers, reused from posting to posting. */
        Tokens read(byte[] utf8) {
            if (starts.length <= utf8.length) {
                int capacity = Math.max(utf8.length + 1, 2 * starts.length);
                starts = new int[capacity];
                ends = new int[capacity];
                hashes = new int[capacity];
                ids = new int[capacity];
                neighbourIds = new int[capacity];
                keyTokens = new int[capacity];
                flaggedTokens = new int[capacity];
                stripped = new byte[capacity];
                spanStarts = new int[capacity];
                spanEnds = new int[capacity];
                pending = new int[capacity];
                matched = new int[capacity];
            }
            spans = 0;
            pendingCount = 0;
            matchedCount = 0;
            text = utf8;
            count = 0;
            keyCount = 0;
            flaggedCount = 0;
            anyPositional = false;
            int start = -1;
            int hash = Vocabulary.EMPTY_HASH;
            boolean flagged = false;
            int length = utf8.length;
            for (int i = 0; i < length; i++) {
                int raw = utf8[i] & 0xff;
                byte kind = kinds[raw];
                if (kind == LETTER || kind == DIGIT_OR_DASH
                        || (kind == HASH && i > 0 && kinds[utf8[i - 1] & 0xff] != BLANK) // not a hashtag
                        || (kind == DOT && i + 1 < length && kinds[utf8[i + 1] & 0xff] != BLANK)) { // not a sentence end
                    if (start < 0) {
                        start = i;
                    }
                    hash = Vocabulary.hash(hash, folding[raw]);
                    flagged |= kind == DIGIT_OR_DASH;
                    continue;
                }
                if (start >= 0) {
                    close(start, i, hash, flagged);
                    start = -1;
                    hash = Vocabulary.EMPTY_HASH;
                    flagged = false;
                }
                if (kind == COMMA || kind == DOT) {
                    close(i, i + 1, Vocabulary.hash(Vocabulary.EMPTY_HASH, folding[raw]), false);
                }
            }
            if (start >= 0) {
                close(start, utf8.length, hash, flagged);
            }
            return this;
        }

        private void close(int start, int end, int hash, boolean flagged) {
            starts[count] = start;
            ends[count] = end;
            hashes[count] = hash;
            ids[count] = matchWords.find(hash, text, start, end);
            neighbourIds[count] = NOT_LOOKED_UP;
            if (flagged) {
                flaggedTokens[flaggedCount++] = count;
            }
            int word = ids[count];
            if (word >= 0 && key[word]) {
                keyTokens[keyCount++] = count;
                anyPositional |= positional[word];
            }
            count++;
        }

        /** The token's id among the words context rules read, or ABSENT; ABSENT past either end. */
        int neighbourId(int index) {
            if (index < 0 || index >= count) {
                return Vocabulary.ABSENT;
            }
            if (neighbourIds[index] == NOT_LOOKED_UP) {
                neighbourIds[index] = neighbourWords.find(hashes[index], text, starts[index], ends[index]);
            }
            return neighbourIds[index];
        }

        /** Whether the token, in its original case, is one of {@code spellings}. */
        boolean spelledAs(int index, byte[][] spellings) {
            for (byte[] spelling : spellings) {
                if (reads(index, separators, spelling, spelling.length)) {
                    return true;
                }
            }
            return false;
        }

        private boolean reads(int index, byte[] map, byte[] word, int length) {
            return ends[index] - starts[index] == length
                && Vocabulary.readsAs(map, text, starts[index], word, 0, length);
        }

        boolean inSpan(int index) {
            for (int span = 0; span < spans; span++) {
                if (spanStarts[span] <= index && index < spanEnds[span]) {
                    return true;
                }
            }
            return false;
        }

        /** Whether the token matches the version pattern (read in place, lower-cased). */
        boolean isVersion(int index) {
            versionText.index = index;
            return version.reset(versionText).matches();
        }

        boolean isKey(int index) {
            return ids[index] >= 0 && key[ids[index]];
        }

        /** Whether some token reads as the folded bytes {@code word[0, length)}. */
        boolean contains(byte[] word, int length) {
            for (int t = 0; t < count; t++) {
                if (reads(t, folding, word, length)) {
                    return true;
                }
            }
            return false;
        }

        /** One token as lower-case characters, without a copy. */
        private final class TokenText implements CharSequence {
            int index;

            @Override
            public int length() {
                return ends[index] - starts[index];
            }

            @Override
            public char charAt(int at) {
                return (char) (folding[text[starts[index] + at] & 0xff] & 0xff);
            }

            @Override
            public CharSequence subSequence(int from, int to) {
                return toString().substring(from, to);
            }

            @Override
            public String toString() {
                StringBuilder chars = new StringBuilder(length());
                for (int at = 0; at < length(); at++) {
                    chars.append(charAt(at));
                }
                return chars.toString();
            }
        }
    }

    /** Sorted canonical names of the skills mentioned in {@code text} (title + "\n" + description). */
    public String[] extract(String text) {
        return text == null ? NONE : extract(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The same, from the text's UTF-8 bytes (what Spark holds). */
    public String[] extract(byte[] utf8) {
        if (utf8 == null || utf8.length == 0) {
            return NONE;
        }
        Tokens tokens = buffers.get().read(utf8);
        int[] ids = tokens.ids;
        BitSet found = attached(tokens);
        if (!tokens.anyPositional) {
            for (int k = 0; k < tokens.keyCount; k++) {
                found.set(single[ids[tokens.keyTokens[k]]]);
            }
            return namesOf(found);
        }
        int nextFree = 0;
        for (int k = 0; k < tokens.keyCount; k++) {
            int index = tokens.keyTokens[k];
            if (!positional[ids[index]] || index < nextFree) {
                continue;
            }
            Phrase phrase = longestPhrase(ids, tokens.count, index);
            if (phrase != null) {
                found.set(phrase.name);
                nextFree = index + phrase.tokens.length;
                tokens.spanStarts[tokens.spans] = index;
                tokens.spanEnds[tokens.spans++] = nextFree;
                tokens.matched[tokens.matchedCount++] = index;
                continue;
            }
            Rule rule = ambiguous[ids[index]];
            if (rule == null || (rule.accepted != null && !tokens.spelledAs(index, rule.accepted))) {
                continue;
            }
            tokens.pending[tokens.pendingCount++] = index;
        }
        for (int k = 0; k < tokens.keyCount; k++) {
            int index = tokens.keyTokens[k];
            if (positional[ids[index]]) {
                continue;
            }
            tokens.matched[tokens.matchedCount++] = index;
            // A one-token alias inside a matched phrase ("SQL" of "SQL Server") counts only if it also stands alone.
            if (!(inner[ids[index]] && tokens.inSpan(index))) {
                found.set(single[ids[index]]);
            }
        }
        for (int p = 0; p < tokens.pendingCount; p++) {
            int index = tokens.pending[p];
            Rule rule = ambiguous[ids[index]];
            if (!found.get(rule.name) && inContext(index, rule, tokens)) {
                found.set(rule.name);
            }
        }
        return namesOf(found);
    }

    /** Skills named only with a glued version or a compound suffix ("Python3.11", "Python-based"). */
    private BitSet attached(Tokens tokens) {
        BitSet found = tokens.found;
        found.clear();
        byte[] text = tokens.text;
        byte[] stripped = tokens.stripped;
        for (int f = 0; f < tokens.flaggedCount; f++) {
            int t = tokens.flaggedTokens[f];
            int start = tokens.starts[t];
            int end = tokens.ends[t];
            int kept = 0;
            boolean dash = false;
            for (int i = start; i < end; i++) {
                byte b = folding[text[i] & 0xff];
                dash |= b == '-';
                if (b < '0' || b > '9') {
                    stripped[kept++] = b;
                }
            }
            if (kept < end - start) {
                int word = attachedWords.find(stripped, 0, kept);
                if (word >= 0 && unversioned[word] != NO_NAME && !tokens.contains(stripped, kept)) {
                    found.set(unversioned[word]);
                }
            }
            if (dash && !tokens.isKey(t)) {
                for (byte[] suffix : compoundSuffixes) {
                    int prefixEnd = end - suffix.length;
                    if (prefixEnd >= start && Vocabulary.readsAs(folding, text, prefixEnd, suffix, 0, suffix.length)) {
                        int word = attachedWords.find(text, start, prefixEnd);
                        if (word >= 0 && whole[word] != NO_NAME) {
                            found.set(whole[word]);
                        }
                    }
                }
            }
        }
        return found;
    }

    private Phrase longestPhrase(int[] ids, int count, int index) {
        Phrase[] candidates = phrasesByFirst[ids[index]];
        if (candidates == null) {
            return null;
        }
        for (Phrase phrase : candidates) {
            int length = phrase.tokens.length;
            if (index + length <= count) {
                int same = 1;
                while (same < length && ids[index + same] == phrase.tokens[same]) {
                    same++;
                }
                if (same == length) {
                    return phrase;
                }
            }
        }
        return null;
    }

    private boolean inContext(int index, Rule rule, Tokens tokens) {
        int[] ids = tokens.ids;
        if (blocked(index, rule, tokens)) {
            return false;
        }
        if (index + 1 < tokens.count && tokens.isVersion(index + 1)) {
            return true;
        }
        int start = index;
        while (start > 0 && index - start < window && ids[start - 1] != sentenceEnd) {
            start--;
        }
        int end = index + 1;
        while (end < tokens.count && end - index <= window && ids[end] != sentenceEnd) {
            end++;
        }
        for (int m = 0; m < tokens.matchedCount; m++) {
            int position = tokens.matched[m];
            if (start <= position && position < end && position != index) {
                return true;
            }
        }
        for (int p = 0; p < tokens.pendingCount; p++) {
            int position = tokens.pending[p];
            Rule other = ambiguous[ids[position]];
            if (other != rule && Math.abs(position - index) <= neighbourWindow && start <= position && position < end
                    && !blocked(position, other, tokens)) {
                return true;
            }
        }
        for (int position = start; position < end; position++) {
            int word = tokens.neighbourId(position);
            if (word >= 0 && rule.context.get(word)) {
                return true;
            }
        }
        return false;
    }

    /** The neighbours say this is the ordinary word ("Go to", "Spark joy", "Sous Chef"). */
    private static boolean blocked(int index, Rule rule, Tokens tokens) {
        int following = tokens.neighbourId(index + 1);
        int preceding = tokens.neighbourId(index - 1);
        return (following >= 0 && rule.notFollowedBy.get(following))
            || (preceding >= 0 && rule.notPrecededBy.get(preceding));
    }


    private String[] namesOf(BitSet found) {
        String[] out = new String[found.cardinality()];
        int at = 0;
        for (int name = found.nextSetBit(0); name >= 0; name = found.nextSetBit(name + 1)) {
            out[at++] = names[name];
        }
        return out;
    }
}
