package io.talentpulse.skills;

import io.talentpulse.text.CodePointMap;
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
 * <p>Speed: tokens are found in one pass over the UTF-8 bytes, which also folds them into a per-thread
 * buffer that every look-up reads; no token becomes a String; words are numbered
 * ({@link Vocabulary}) so the rules compare ints. Each token is looked up among the words that can start
 * or continue a match; the words only context rules read (context, not_followed_by, not_preceded_by) are
 * looked up for the few tokens around an ambiguous form, and glued-version forms only for tokens with a
 * digit, a dash, '&' or '+'. Every rule reads a bounded neighbourhood of a token (per-token marks, no
 * scans over all matches), so the time is linear in the text length.
 */
public final class SkillMatcher {
    static final String FORMAT = "talent-pulse-skill-tables\t2";
    private static final String[] NONE = new String[0];
    private static final int NO_NAME = -1;
    private static final int NOT_LOOKED_UP = -2;
    private static final byte SPACE = ' ';

    private record Phrase(int[] tokens, int name) { }

    /**
     * accepted: the original-case spellings that may count, null when any case may; the sets hold neighbour ids.
     * dominant: counts unless vetoed (neighbours, negative context); otherwise it needs a technical context.
     */
    private record Rule(int name, byte[][] accepted, BitSet context, BitSet notFollowedBy, BitSet notPrecededBy,
                        BitSet negativeContext, boolean dominant) { }

    private final byte[] separators = new byte[256];
    private final byte[] folding = new byte[256]; // separators, then lower case
    private final byte[] kinds = new byte[256]; // what each byte is to the tokenizer
    private static final byte LETTER = 0;
    private static final byte DIGIT_OR_DASH = 1;
    private static final byte GLUE = 2; // '&' and '+': "HTML&CSS", "Java+Spring"
    private static final byte BLANK = 3;
    private static final byte HASH = 4;
    private static final byte COMMA = 5;
    private static final byte DOT = 6;
    private final Vocabulary matchWords = new Vocabulary(folding);
    private final Vocabulary attachedWords = new Vocabulary(folding);
    private final Vocabulary neighbourWords = new Vocabulary(folding);
    private final ThreadLocal<Tokens> buffers = ThreadLocal.withInitial(Tokens::new);
    private final CodePointMap codePoints;
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
    private final int[] glued; // the skill a part of a glued token names
    private final byte[][][] gluedAccepted; // and the spellings it must keep, null when any case

    public SkillMatcher(String tables) {
        String[] lines = tables.split("\n");
        if (lines.length == 0 || !lines[0].equals(FORMAT)) {
            throw new IllegalArgumentException("skill tables must start with '" + FORMAT.replace('\t', ' ')
                + "': build them with talent_pulse.skills.default_matcher().compiled_tables() of the same release");
        }
        Map<String, String> settings = new HashMap<>();
        List<String> nameList = new ArrayList<>();
        List<String[]> records = new ArrayList<>();
        List<Integer> mappedCodePoints = new ArrayList<>();
        List<byte[]> replacements = new ArrayList<>();
        for (int number = 1; number < lines.length; number++) {
            String[] fields = lines[number].split("\t", -1);
            switch (fields[0]) {
                case "window", "neighbour_window", "version_token", "sentence_end", "compound_suffixes", "separators" ->
                    settings.put(fields[0], fields[1]);
                case "name" -> nameList.add(fields[1]);
                case "phrase", "single", "ambiguous", "whole", "unversioned", "positional", "inner", "glued" ->
                    records.add(fields);
                case "code_point" -> {
                    mappedCodePoints.add(new String(hex(fields[1]), StandardCharsets.UTF_8).codePointAt(0));
                    replacements.add(hex(fields[2]));
                }
                default -> throw new IllegalArgumentException("skill tables line " + (number + 1)
                    + ": unknown record '" + fields[0] + "'; the jar and the Python package are from different releases");
            }
        }
        names = nameList.toArray(NONE);
        codePoints = new CodePointMap(mappedCodePoints.stream().mapToInt(Integer::intValue).toArray(),
            replacements.toArray(byte[][]::new));
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
                case '&', '+' -> GLUE;
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
                    for (int field = 4; field <= 7; field++) {
                        words(fields[field]).forEach(neighbourWords::add);
                    }
                }
                case "whole", "unversioned", "glued" -> attachedWords.add(fields[1]);
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
        glued = filled(attachedWords.size());
        gluedAccepted = new byte[attachedWords.size()][][];
        Map<Integer, List<Phrase>> phrases = new HashMap<>();
        for (String[] fields : records) {
            switch (fields[0]) {
                case "phrase" -> phrases.computeIfAbsent(id(matchWords, fields[1]), first -> new ArrayList<>()).add(
                    new Phrase(Arrays.stream(fields[3].split(" ")).mapToInt(word -> id(matchWords, word)).toArray(),
                        Integer.parseInt(fields[2])));
                case "single" -> single[id(matchWords, fields[1])] = Integer.parseInt(fields[2]);
                case "ambiguous" -> ambiguous[id(matchWords, fields[1])] = new Rule(Integer.parseInt(fields[2]),
                    spellings(fields[3]), neighbourSet(fields[4]), neighbourSet(fields[5]), neighbourSet(fields[6]),
                    neighbourSet(fields[7]), fields[8].equals("dominant"));
                case "whole" -> whole[id(attachedWords, fields[1])] = Integer.parseInt(fields[2]);
                case "unversioned" -> unversioned[id(attachedWords, fields[1])] = Integer.parseInt(fields[2]);
                case "positional" -> positional[id(matchWords, fields[1])] = true;
                case "inner" -> inner[id(matchWords, fields[1])] = true;
                case "glued" -> {
                    glued[id(attachedWords, fields[1])] = Integer.parseInt(fields[2]);
                    gluedAccepted[id(attachedWords, fields[1])] = spellings(fields[3]);
                }
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

    /** "*" (any case) -> null, else the spellings. */
    private static byte[][] spellings(String field) {
        return field.equals("*") ? null
            : words(field).stream().map(word -> word.getBytes(StandardCharsets.ISO_8859_1)).toArray(byte[][]::new);
    }

    private static byte[] hex(String field) {
        byte[] bytes = new byte[field.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(field.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }

    private static int id(Vocabulary vocabulary, String word) {
        return vocabulary.find(word);
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
     * is the range [start, end) of the input and of {@code folded}, the input read through the folding map.
     */
    private final class Tokens {
        byte[] text;
        byte[] folded = new byte[0]; // text read through folding
        int[] starts = new int[0];
        int[] ends = starts;
        int[] hashes = starts;
        int[] ids = starts; // matchWords ids, Vocabulary.ABSENT for others
        int[] neighbourIds = starts; // looked up on demand
        int count;
        int[] keyTokens = starts; // positions of tokens that are keys (start a phrase, or an ambiguous form)
        int keyCount;
        boolean anyPositional;
        int[] flaggedTokens = starts; // positions of tokens with a digit, a dash, '&' or '+'
        int flaggedCount;
        boolean[] withDigit = new boolean[0]; // by position: the token has a digit
        // The matching's working lists, as arrays reused from posting to posting. A mark holds the number of
        // the posting that set it, so a new posting starts with no marks without clearing anything.
        int posting;
        int[] coveredMark = starts; // the token is inside a matched phrase
        int[] matchedMark = starts; // a matched phrase starts here, or a one-token alias is here
        int[] pendingMark = starts; // an ambiguous form waits here for its context check
        int[] pending = starts; // those positions, in order
        int pendingCount;
        final BitSet attachedPresent = new BitSet(); // attachedWords ids of the tokens, looked up on demand
        boolean attachedLookedUp;
        int[] gluedParts = starts; // names of the parts of one glued token
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
                withDigit = new boolean[capacity];
                stripped = new byte[capacity];
                folded = new byte[capacity];
                coveredMark = new int[capacity];
                matchedMark = new int[capacity];
                pendingMark = new int[capacity];
                pending = new int[capacity];
                gluedParts = new int[capacity];
                posting = 0;
            }
            if (++posting == 0) { // wrapped: forget every mark once in 2^32 postings
                Arrays.fill(coveredMark, 0);
                Arrays.fill(matchedMark, 0);
                Arrays.fill(pendingMark, 0);
                posting = 1;
            }
            pendingCount = 0;
            attachedLookedUp = false;
            text = utf8;
            count = 0;
            keyCount = 0;
            flaggedCount = 0;
            anyPositional = false;
            int start = -1;
            int hash = Vocabulary.EMPTY_HASH;
            int flags = LETTER; // any DIGIT_OR_DASH or GLUE byte in the open token
            int length = utf8.length;
            byte[] folded = this.folded;
            for (int i = 0; i < length; i++) {
                int raw = utf8[i] & 0xff;
                byte fold = folding[raw];
                folded[i] = fold;
                byte kind = kinds[raw];
                if (kind <= GLUE
                        || (kind == HASH && i > 0 && kinds[utf8[i - 1] & 0xff] != BLANK) // not a hashtag
                        || (kind == DOT && i + 1 < length && kinds[utf8[i + 1] & 0xff] != BLANK)) { // not a sentence end
                    if (start < 0) {
                        start = i;
                    }
                    hash = Vocabulary.hash(hash, fold);
                    flags |= kind; // kind <= GLUE here, and LETTER is 0
                    continue;
                }
                if (start >= 0) {
                    close(start, i, hash, flags != LETTER);
                    start = -1;
                    hash = Vocabulary.EMPTY_HASH;
                    flags = LETTER;
                }
                if (kind == COMMA || kind == DOT) {
                    close(i, i + 1, Vocabulary.hash(Vocabulary.EMPTY_HASH, fold), false);
                }
            }
            if (start >= 0) {
                close(start, utf8.length, hash, flags != LETTER);
            }
            return this;
        }

        private void close(int start, int end, int runningHash, boolean flagged) {
            int hash = Vocabulary.finish(runningHash);
            starts[count] = start;
            ends[count] = end;
            hashes[count] = hash;
            ids[count] = matchWords.find(hash, folded, start, end);
            neighbourIds[count] = NOT_LOOKED_UP;
            withDigit[count] = false;
            if (flagged) {
                flaggedTokens[flaggedCount++] = count;
                withDigit[count] = hasDigit(start, end);
            }
            int word = ids[count];
            if (word >= 0 && key[word]) {
                keyTokens[keyCount++] = count;
                anyPositional |= positional[word];
            }
            count++;
        }

        private boolean hasDigit(int start, int end) {
            for (int i = start; i < end; i++) {
                if (folded[i] >= '0' && folded[i] <= '9') {
                    return true;
                }
            }
            return false;
        }

        /** The token's id among the words context rules read, or ABSENT; ABSENT past either end. */
        int neighbourId(int index) {
            if (index < 0 || index >= count) {
                return Vocabulary.ABSENT;
            }
            if (neighbourIds[index] == NOT_LOOKED_UP) {
                neighbourIds[index] = neighbourWords.find(hashes[index], folded, starts[index], ends[index]);
            }
            return neighbourIds[index];
        }

        /** Whether the token, in its original case, is one of {@code spellings}. */
        boolean spelledAs(int index, byte[][] spellings) {
            return spelledAs(starts[index], ends[index], spellings);
        }

        /** Whether the bytes {@code text[start, end)}, in their original case, are one of {@code spellings}. */
        boolean spelledAs(int start, int end, byte[][] spellings) {
            for (byte[] spelling : spellings) {
                if (end - start == spelling.length && readsAs(start, spelling)) {
                    return true;
                }
            }
            return false;
        }

        /** Whether {@code text[start, start + spelling.length)}, read through the separator map, is {@code spelling}. */
        private boolean readsAs(int start, byte[] spelling) {
            for (int i = 0; i < spelling.length; i++) {
                if (spelling[i] != separators[text[start + i] & 0xff]) {
                    return false;
                }
            }
            return true;
        }

        void mark(int[] marks, int index) {
            marks[index] = posting;
        }

        boolean marked(int[] marks, int index) {
            return marks[index] == posting;
        }

        /** Whether the token matches the version pattern (read in place, lower-cased). */
        boolean isVersion(int index) {
            if (!withDigit[index]) { // every version has a digit: skip the regex for words
                return false;
            }
            versionText.index = index;
            return version.reset(versionText).matches();
        }

        boolean isKey(int index) {
            return ids[index] >= 0 && key[ids[index]];
        }

        /** Whether some token is the attachedWords word {@code word} (all tokens are looked up once, on first use). */
        boolean contains(int word) {
            if (!attachedLookedUp) {
                attachedPresent.clear();
                for (int t = 0; t < count; t++) {
                    int present = attachedWords.find(hashes[t], folded, starts[t], ends[t]);
                    if (present >= 0) {
                        attachedPresent.set(present);
                    }
                }
                attachedLookedUp = true;
            }
            return attachedPresent.get(word);
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
                return (char) (folded[starts[index] + at] & 0xff);
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
        Tokens tokens = buffers.get().read(codePoints.apply(utf8));
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
                for (int covered = index; covered < nextFree; covered++) {
                    tokens.mark(tokens.coveredMark, covered);
                }
                tokens.mark(tokens.matchedMark, index);
                continue;
            }
            Rule rule = ambiguous[ids[index]];
            if (rule == null || (rule.accepted != null && !tokens.spelledAs(index, rule.accepted))) {
                continue;
            }
            tokens.mark(tokens.pendingMark, index);
            tokens.pending[tokens.pendingCount++] = index;
        }
        for (int k = 0; k < tokens.keyCount; k++) {
            int index = tokens.keyTokens[k];
            if (positional[ids[index]]) {
                continue;
            }
            tokens.mark(tokens.matchedMark, index);
            // A one-token alias inside a matched phrase ("SQL" of "SQL Server") counts only if it also stands alone.
            if (!(inner[ids[index]] && tokens.marked(tokens.coveredMark, index))) {
                found.set(single[ids[index]]);
            }
        }
        // Dominant forms first: each one that counts is a matched skill, context for the others ("Go, Kafka").
        for (int p = 0; p < tokens.pendingCount; p++) {
            int index = tokens.pending[p];
            Rule rule = ambiguous[ids[index]];
            if (rule.dominant && inContext(index, rule, tokens)) {
                found.set(rule.name);
                tokens.mark(tokens.matchedMark, index); // a dominant form's check never reads these marks
            }
        }
        for (int p = 0; p < tokens.pendingCount; p++) {
            int index = tokens.pending[p];
            Rule rule = ambiguous[ids[index]];
            if (!rule.dominant && !found.get(rule.name) && inContext(index, rule, tokens)) {
                found.set(rule.name);
            }
        }
        return namesOf(found);
    }

    /**
     * Skills named only with a glued version or a compound suffix ("Python3.11", "Python-based"), or glued to
     * another form by '&' or '+' ("HTML&CSS", "Java+Spring").
     */
    private BitSet attached(Tokens tokens) {
        BitSet found = tokens.found;
        found.clear();
        byte[] folded = tokens.folded;
        byte[] stripped = tokens.stripped;
        for (int f = 0; f < tokens.flaggedCount; f++) {
            int t = tokens.flaggedTokens[f];
            int start = tokens.starts[t];
            int end = tokens.ends[t];
            int kept = 0;
            boolean dash = false;
            boolean glue = false;
            for (int i = start; i < end; i++) {
                byte b = folded[i];
                dash |= b == '-';
                glue |= b == '&' || b == '+';
                if (b < '0' || b > '9') {
                    stripped[kept++] = b;
                }
            }
            if (kept < end - start) {
                int word = attachedWords.find(stripped, 0, kept);
                if (word >= 0 && unversioned[word] != NO_NAME && !tokens.contains(word)) {
                    found.set(unversioned[word]);
                }
            }
            if (dash && !tokens.isKey(t)) {
                for (byte[] suffix : compoundSuffixes) {
                    int prefixEnd = end - suffix.length;
                    if (prefixEnd >= start && Arrays.equals(folded, prefixEnd, end, suffix, 0, suffix.length)) {
                        int word = attachedWords.find(folded, start, prefixEnd);
                        if (word >= 0 && whole[word] != NO_NAME) {
                            found.set(whole[word]);
                        }
                    }
                }
            }
            if (glue && !tokens.isKey(t)) {
                gluedForms(tokens, start, end, found);
            }
        }
        return found;
    }

    /** The forms of a token split at each '&' and at each '+' between letters or digits, if every part is one. */
    private void gluedForms(Tokens tokens, int start, int end, BitSet found) {
        byte[] folded = tokens.folded;
        int parts = 0;
        int partStart = start;
        for (int i = start; i <= end; i++) {
            if (i < end) {
                byte b = folded[i];
                boolean split = b == '&' || (b == '+' && i > start && i + 1 < end
                    && alphanumeric(folded[i - 1]) && alphanumeric(folded[i + 1]));
                if (!split) {
                    continue;
                }
            }
            int word = attachedWords.find(folded, partStart, i);
            if (word < 0 || glued[word] == NO_NAME
                    || (gluedAccepted[word] != null && !tokens.spelledAs(partStart, i, gluedAccepted[word]))) {
                return;
            }
            tokens.gluedParts[parts++] = glued[word];
            partStart = i + 1;
        }
        if (parts > 1) {
            for (int part = 0; part < parts; part++) {
                found.set(tokens.gluedParts[part]);
            }
        }
    }

    private static boolean alphanumeric(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9');
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
        int start = index;
        while (start > 0 && index - start < window && ids[start - 1] != sentenceEnd) {
            start--;
        }
        int end = index + 1;
        while (end < tokens.count && end - index <= window && ids[end] != sentenceEnd) {
            end++;
        }
        if (!rule.negativeContext.isEmpty() && near(rule.negativeContext, start, end, tokens)) {
            return false;
        }
        if (rule.dominant || (index + 1 < tokens.count && tokens.isVersion(index + 1))) {
            return true;
        }
        for (int position = start; position < end; position++) {
            if (tokens.marked(tokens.matchedMark, position)) {
                return true;
            }
        }
        for (int position = Math.max(start, index - neighbourWindow); position < Math.min(end, index + neighbourWindow + 1); position++) {
            if (position != index && tokens.marked(tokens.pendingMark, position)) {
                Rule other = ambiguous[ids[position]];
                if (other != rule && !blocked(position, other, tokens)) {
                    return true;
                }
            }
        }
        return near(rule.context, start, end, tokens);
    }

    /** Whether a token in [start, end) is one of the neighbour words {@code words}. */
    private static boolean near(BitSet words, int start, int end, Tokens tokens) {
        for (int position = start; position < end; position++) {
            int word = tokens.neighbourId(position);
            if (word >= 0 && words.get(word)) {
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
