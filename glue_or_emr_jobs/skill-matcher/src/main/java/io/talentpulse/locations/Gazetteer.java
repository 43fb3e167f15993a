package io.talentpulse.locations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.talentpulse.text.CodePointMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code talent_pulse.gazetteer.Gazetteer.normalise}, step for step, over the tables that class compiles
 * ({@code compiled_tables()}): free-text location -> canonical location. The Python module documents
 * the rules; tests/integration/test_locations_spark.py holds the two to the same slugs.
 */
public final class Gazetteer {
    static final String FORMAT = "talent-pulse-gazetteer-tables";
    private static final int ALNUM = 1;
    private static final int DIGIT = 2;
    private static final int SPACE = 4;
    private static final int CACHE_LIMIT = 1 << 17;

    /** A canonical location: slug, city (null unless a city), country (ISO code or null), region. */
    public record Location(String slug, String city, String country, String region, String subdivision) {}

    /** What one name can mean (a name may be a city, a country and a state at once). */
    private record Facts(List<Location> cities, List<String> countries, List<String[]> subdivisions,
                         List<String> isoCodes, Location scope) {
        boolean namesAPlace() {
            return !countries.isEmpty() || !subdivisions.isEmpty() || !isoCodes.isEmpty();
        }

        String country() {
            if (!countries.isEmpty()) {
                return countries.get(0);
            }
            return !subdivisions.isEmpty() ? subdivisions.get(0)[0] : isoCodes.get(0);
        }
    }

    private record Mention(Facts facts, boolean afterUnrecognisedText) {
        boolean namesAnotherCity() {
            return !facts.cities().isEmpty() && !afterUnrecognisedText;
        }
    }

    private final CodePointMap fold;
    private final byte[] bmpClasses = new byte[0x10000];
    private final int[][] astralClasses;
    private final Set<Integer> breakChars = new HashSet<>();
    private final Set<Integer> dashes = new HashSet<>();
    private final int minScanChars;
    private final int maxNameTokens;
    private final Set<List<String>> remotePhrases = new HashSet<>();
    private final Set<List<String>> notRemotePhrases = new HashSet<>();
    private final int maxRemotePhrase;
    private final Set<String> ignoredWords = new HashSet<>();
    private final Set<String> codesOverWords = new HashSet<>();
    private final Map<String, Location> bySlug = new HashMap<>();
    private final Location unknown;
    private final String globalRegion;
    private final Map<String, Location> claims = new HashMap<>();
    private final Map<String, Facts> facts = new HashMap<>();
    private final Map<String, Location> countryEntry = new HashMap<>();
    private final Map<String, Location> remoteByCountry = new HashMap<>();
    private final Map<String, Location> remoteByRegion = new HashMap<>();
    private final ConcurrentHashMap<String, Location> cache = new ConcurrentHashMap<>();

    public Gazetteer(String tables) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(tables);
        } catch (IOException e) {
            throw new IllegalArgumentException("gazetteer tables are not JSON: " + e.getMessage(), e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new IllegalArgumentException("gazetteer tables must have format '" + FORMAT
                + "': build them with talent_pulse.gazetteer.load_gazetteer().compiled_tables() of the same release");
        }
        List<Integer> foldedCodePoints = new ArrayList<>();
        List<byte[]> foldedTo = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("fold").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            foldedCodePoints.add(Integer.parseInt(entry.getKey()));
            foldedTo.add(entry.getValue().asText().getBytes(StandardCharsets.UTF_8));
        }
        fold = new CodePointMap(foldedCodePoints.stream().mapToInt(Integer::intValue).toArray(),
            foldedTo.toArray(byte[][]::new));
        List<int[]> astral = new ArrayList<>();
        for (JsonNode range : root.path("char_classes")) {
            int first = range.get(0).asInt();
            int last = range.get(1).asInt();
            int flags = range.get(2).asInt();
            for (int cp = first; cp <= Math.min(last, 0xFFFF); cp++) {
                bmpClasses[cp] = (byte) flags;
            }
            if (last > 0xFFFF) {
                astral.add(new int[] {Math.max(first, 0x10000), last, flags});
            }
        }
        astralClasses = astral.toArray(new int[0][]);
        root.path("break_chars").asText().codePoints().forEach(breakChars::add);
        root.path("dashes").asText().codePoints().forEach(dashes::add);
        minScanChars = root.path("min_scan_chars").asInt();
        maxNameTokens = root.path("max_name_tokens").asInt();
        int longest = 0;
        for (JsonNode phrase : root.path("remote_phrases")) {
            remotePhrases.add(strings(phrase));
            longest = Math.max(longest, phrase.size());
        }
        for (JsonNode phrase : root.path("not_remote_phrases")) {
            notRemotePhrases.add(strings(phrase));
            longest = Math.max(longest, phrase.size());
        }
        maxRemotePhrase = longest;
        ignoredWords.addAll(strings(root.path("ignored_words")));
        codesOverWords.addAll(strings(root.path("codes_over_words")));
        for (JsonNode loc : root.path("locations")) {
            Location location = new Location(loc.path("slug").asText(), text(loc, "city"), text(loc, "country"),
                loc.path("region").asText(), text(loc, "subdivision"));
            bySlug.put(location.slug(), location);
        }
        unknown = bySlug.get(root.path("unknown").asText());
        globalRegion = root.path("global_region").asText();
        slugMap(root.path("claims"), claims);
        slugMap(root.path("country_entry"), countryEntry);
        slugMap(root.path("remote_by_country"), remoteByCountry);
        slugMap(root.path("remote_by_region"), remoteByRegion);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("facts").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode f = entry.getValue();
            List<Location> cities = new ArrayList<>();
            for (JsonNode slug : f.path("cities")) {
                cities.add(bySlug.get(slug.asText()));
            }
            List<String[]> subdivisions = new ArrayList<>();
            for (JsonNode sub : f.path("subdivisions")) {
                subdivisions.add(new String[] {sub.get(0).asText(), sub.get(1).asText()});
            }
            Location scope = f.hasNonNull("scope") ? bySlug.get(f.get("scope").asText()) : null;
            facts.put(entry.getKey(), new Facts(cities, strings(f.path("countries")), subdivisions,
                strings(f.path("iso_codes")), scope));
        }
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        for (JsonNode value : array) {
            values.add(value.asText());
        }
        return values;
    }

    private void slugMap(JsonNode object, Map<String, Location> into) {
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            into.put(entry.getKey(), bySlug.get(entry.getValue().asText()));
        }
    }

    private int classes(int codePoint) {
        if (codePoint <= 0xFFFF) {
            return bmpClasses[codePoint];
        }
        int low = 0;
        int high = astralClasses.length - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            if (codePoint < astralClasses[middle][0]) {
                high = middle - 1;
            } else if (codePoint > astralClasses[middle][1]) {
                low = middle + 1;
            } else {
                return astralClasses[middle][2];
            }
        }
        return 0;
    }

    /** Free-text location -> canonical location; unknown for null, empty or unrecognised text. */
    public Location normalise(String text) {
        if (text == null) {
            return unknown;
        }
        Location cached = cache.get(text);
        if (cached == null) {
            cached = resolveText(text);
            if (cache.size() > CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(text, cached);
        }
        return cached;
    }

    private Location resolveText(String text) {
        int[] folded = fold(text);
        String key = String.join(" ", words(folded, 0, folded.length));
        if (key.isEmpty()) {
            return unknown;
        }
        Location claimed = claims.get(key);
        if (claimed != null) {
            return claimed;
        }
        List<Mention> mentions = new ArrayList<>();
        boolean remote = mentions(folded, mentions);
        return resolve(mentions, remote);
    }

    private int[] fold(String text) {
        return fold.apply(text).codePoints().toArray();
    }

    private List<String> words(int[] text, int from, int to) {
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = from; i < to; i++) {
            boolean alnum = (classes(text[i]) & ALNUM) != 0;
            if (alnum && start < 0) {
                start = i;
            } else if (!alnum && start >= 0) {
                words.add(new String(text, start, i - start));
                start = -1;
            }
        }
        if (start >= 0) {
            words.add(new String(text, start, to - start));
        }
        return words;
    }

    /** [from, to) bounds of the parts: cut at break characters and at dash runs with white space beside them. */
    private List<int[]> parts(int[] text) {
        List<int[]> parts = new ArrayList<>();
        int start = 0;
        int i = 0;
        int n = text.length;
        while (i < n) {
            int cp = text[i];
            if (breakChars.contains(cp)) {
                parts.add(new int[] {start, i});
                start = i = i + 1;
                continue;
            }
            if (dashes.contains(cp)) {
                int end = i;
                while (end < n && dashes.contains(text[end])) {
                    end++;
                }
                if ((i > 0 && (classes(text[i - 1]) & SPACE) != 0) || (end < n && (classes(text[end]) & SPACE) != 0)) {
                    parts.add(new int[] {start, i});
                    start = end;
                }
                i = end;
                continue;
            }
            i++;
        }
        parts.add(new int[] {start, n});
        return parts;
    }

    private boolean isNoise(String word) {
        return ignoredWords.contains(word) || word.codePoints().anyMatch(cp -> (classes(cp) & DIGIT) != 0);
    }

    /** Drops remote words from tokens (in place); true when a (not negated) remote phrase was among them. */
    private boolean withoutRemoteWords(List<String> tokens) {
        List<String> kept = new ArrayList<>();
        boolean remote = false;
        int i = 0;
        while (i < tokens.size()) {
            boolean matched = false;
            for (int n = Math.min(maxRemotePhrase, tokens.size() - i); n > 0; n--) {
                List<String> phrase = tokens.subList(i, i + n);
                boolean isRemote = remotePhrases.contains(phrase);
                if (isRemote || notRemotePhrases.contains(phrase)) {
                    remote = remote || isRemote;
                    i += n;
                    matched = true;
                    break;
                }
            }
            if (!matched) {
                kept.add(tokens.get(i));
                i++;
            }
        }
        tokens.clear();
        tokens.addAll(kept);
        return remote;
    }

    private Facts trailingCode(List<String> tokens, int i, int n) {
        String token = tokens.get(i);
        if (n != 1 || i != tokens.size() - 1 || i == 0
                || (ignoredWords.contains(token) && !codesOverWords.contains(token))) {
            return null;
        }
        Facts found = facts.get(token);
        if (found == null || found.subdivisions().isEmpty()) {
            return null;
        }
        return new Facts(List.of(), List.of(), found.subdivisions(), List.of(), null);
    }

    private boolean mentions(int[] folded, List<Mention> mentions) {
        boolean remote = false;
        boolean unrecognised = false;
        for (int[] part : parts(folded)) {
            List<String> tokens = words(folded, part[0], part[1]);
            remote = withoutRemoteWords(tokens) || remote;
            if (tokens.isEmpty()) {
                continue;
            }
            Facts whole = facts.get(String.join(" ", tokens));
            if (whole == null) {
                List<String> meaningful = new ArrayList<>();
                for (String token : tokens) {
                    if (!isNoise(token)) {
                        meaningful.add(token);
                    }
                }
                if (tokens.size() > 1 && codesOverWords.contains(tokens.get(tokens.size() - 1))) {
                    meaningful.add(tokens.get(tokens.size() - 1));
                }
                if (meaningful.isEmpty()) {
                    continue;
                }
                whole = facts.get(String.join(" ", meaningful));
            }
            if (whole != null) {
                mentions.add(new Mention(whole, unrecognised));
                continue;
            }
            int i = 0;
            while (i < tokens.size()) {
                boolean matched = false;
                for (int n = Math.min(maxNameTokens, tokens.size() - i); n > 0; n--) {
                    String key = String.join(" ", tokens.subList(i, i + n));
                    Facts found = key.codePointCount(0, key.length()) >= minScanChars ? facts.get(key)
                        : trailingCode(tokens, i, n);
                    if (found != null) {
                        mentions.add(new Mention(found, unrecognised));
                        i += n;
                        matched = true;
                        break;
                    }
                }
                if (!matched) {
                    unrecognised = unrecognised || !isNoise(tokens.get(i));
                    i++;
                }
            }
        }
        return remote;
    }

    private Location resolve(List<Mention> mentions, boolean remote) {
        Mention cityMention = null;
        for (Mention m : mentions) {
            if (m.namesAnotherCity() || (!m.facts().cities().isEmpty() && !m.facts().namesAPlace())) {
                cityMention = m;
                break;
            }
        }
        List<Mention> context = new ArrayList<>();
        for (Mention m : mentions) {
            if (m != cityMention && m.facts().namesAPlace()) {
                context.add(m);
            }
        }
        if (cityMention != null) {
            for (Location city : cityMention.facts().cities()) {
                boolean agreed = true;
                for (Mention m : context) {
                    if (!agrees(city, m.facts()) && !m.namesAnotherCity()) {
                        agreed = false;
                        break;
                    }
                }
                if (agreed) {
                    return city;
                }
            }
        }
        String country = context.isEmpty() ? null : context.get(0).facts().country();
        if (context.size() > 1) {
            Facts last = context.get(context.size() - 1).facts();
            if (!last.subdivisions().isEmpty() && last.countries().isEmpty()) {
                country = last.subdivisions().get(0)[0];
            }
        }
        if (country != null) {
            if (remote) {
                Location byCountry = remoteByCountry.get(country);
                return byCountry != null ? byCountry : remoteByRegion.get(countryEntry.get(country).region());
            }
            return countryEntry.get(country);
        }
        Location firstScope = null;
        for (Mention m : mentions) {
            Location scope = m.facts().scope();
            if (scope != null && !scope.region().equals(globalRegion)) {
                return scope;
            }
            if (scope != null && firstScope == null) {
                firstScope = scope;
            }
        }
        if (firstScope != null) {
            return firstScope;
        }
        return remote ? remoteByRegion.get(globalRegion) : unknown;
    }

    private boolean agrees(Location city, Facts place) {
        if (place.countries().contains(city.country()) || place.isoCodes().contains(city.country())) {
            return true;
        }
        for (String[] sub : place.subdivisions()) {
            if (sub[0].equals(city.country()) && sub[1].equals(city.subdivision())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "Gazetteer(" + bySlug.size() + " locations, " + facts.size() + " names)";
    }
}
