package io.talentpulse.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The posting contract's rules as {@code talent_pulse.contract.compiled_rules()} exports them: the
 * Python module is the one definition, this class only reads it.
 */
final class ContractRules {
    static final String FORMAT = "talent-pulse-contract-rules";

    /** One contract field, in the contract's order (checks run in that order, first failure wins). */
    record Field(String name, String kind, boolean required, int maxChars, Set<String> choices,
                 boolean needsVisibleText) {}

    final int schemaVersion;
    final int maxRecordBytes;
    final int maxNumberChars;
    final int maxNestingDepth;
    final Pattern timestamp;
    final long earliestEpochSecond;
    final long futureSlackSeconds;
    final List<Field> fields = new ArrayList<>();
    private final int[] invisibleStarts;
    private final int[] invisibleEnds;

    ContractRules(String json) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("contract rules are not JSON: " + e.getMessage(), e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new IllegalArgumentException("contract rules must have format '" + FORMAT
                + "': build them with talent_pulse.contract.compiled_rules() of the same release");
        }
        schemaVersion = root.path("schema_version").asInt();
        maxRecordBytes = root.path("max_record_bytes").asInt();
        maxNumberChars = root.path("max_number_chars").asInt();
        maxNestingDepth = root.path("max_nesting_depth").asInt();
        timestamp = Pattern.compile(root.path("timestamp_pattern").asText());
        earliestEpochSecond = root.path("earliest_event_time_epoch_seconds").asLong();
        futureSlackSeconds = root.path("future_slack_seconds").asLong();
        JsonNode ranges = root.path("invisible_ranges");
        invisibleStarts = new int[ranges.size()];
        invisibleEnds = new int[ranges.size()];
        for (int i = 0; i < ranges.size(); i++) {
            invisibleStarts[i] = ranges.get(i).get(0).asInt();
            invisibleEnds[i] = ranges.get(i).get(1).asInt();
        }
        for (JsonNode field : root.path("fields")) {
            Set<String> choices = null;
            if (field.hasNonNull("choices")) {
                choices = new HashSet<>();
                for (JsonNode choice : field.get("choices")) {
                    choices.add(choice.asText());
                }
            }
            fields.add(new Field(field.path("name").asText(), field.path("kind").asText(),
                field.path("required").asBoolean(), field.hasNonNull("max_chars") ? field.get("max_chars").asInt() : -1,
                choices, field.path("needs_visible_text").asBoolean()));
        }
    }

    boolean isInvisible(int codePoint) {
        int low = 0;
        int high = invisibleStarts.length - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            if (codePoint < invisibleStarts[middle]) {
                high = middle - 1;
            } else if (codePoint > invisibleEnds[middle]) {
                low = middle + 1;
            } else {
                return true;
            }
        }
        return false;
    }
}
