package io.talentpulse.contract;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * {@code talent_pulse.contract.validate_record}, step for step, over the rules that module compiles:
 * raw Kafka value -> the event's fields in contract order, or a rejection (reason code, reason). The
 * Python function documents the rules; tests/integration/test_contract_spark.py holds the two to the
 * same reason codes. Never throws on input: every record ends as an event or a rejection.
 */
public final class Validator {
    private static final Object JSON_NULL = new Object();
    private static final Set<String> NON_NUMERIC = Set.of("NaN", "Infinity", "-Infinity");
    private static final long MICROS = 1_000_000L;

    /** A number literal as written; Python's json reads it as int or float by its form. */
    private record Num(boolean integral, String text) {}

    /** A record that breaks the contract. */
    static final class Rejection extends Exception {
        private static final long serialVersionUID = 1L;
        final String code;

        Rejection(String code, String detail) {
            super(detail, null, false, false);
            this.code = code;
        }
    }

    private final ContractRules rules;
    private final JsonFactory json = JsonFactory.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    public Validator(String rules) {
        this.rules = new ContractRules(rules);
    }

    /** Field values in contract order, then reason_code and reason (both null when accepted). */
    public Object[] validate(byte[] value) {
        Object[] row = new Object[rules.fields.size() + 2];
        try {
            Object[] event = validateEvent(decode(value), Instant.now());
            System.arraycopy(event, 0, row, 0, event.length);
        } catch (Rejection rejection) {
            row[row.length - 2] = rejection.code;
            row[row.length - 1] = rejection.code + ": " + rejection.getMessage();
        }
        return row;
    }

    private Object decode(byte[] value) throws Rejection {
        if (value == null) {
            throw new Rejection("malformed_json", "record has no value (tombstone)");
        }
        if (value.length > rules.maxRecordBytes) {
            throw new Rejection("too_large", "record is " + value.length + " bytes, limit " + rules.maxRecordBytes);
        }
        String text = utf8(value);
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            throw new Rejection("malformed_json", "Unexpected UTF-8 BOM (decode using utf-8-sig)");
        }
        String[] duplicate = new String[1];
        Object root;
        try (JsonParser parser = json.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new Rejection("malformed_json", "Expecting value: line 1 column 1 (char 0)");
            }
            root = read(parser, first, 1, duplicate);
            if (parser.nextToken() != null) {
                throw new Rejection("malformed_json", "Extra data after the JSON value");
            }
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            throw new Rejection("malformed_json", message.substring(0, Math.min(120, message.length())));
        }
        if (duplicate[0] != null) {
            throw new Rejection("duplicate_key", "key '" + head(duplicate[0], 40)
                + "' appears twice in one object; send each field once");
        }
        return root;
    }

    private static String utf8(byte[] value) throws Rejection {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer bytes = ByteBuffer.wrap(value);
        try {
            return decoder.decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new Rejection("not_utf8", "invalid UTF-8 at byte " + bytes.position());
        }
    }

    private Object read(JsonParser parser, JsonToken token, int depth, String[] duplicate)
            throws IOException, Rejection {
        switch (token) {
            case START_OBJECT -> {
                nest(depth);
                Map<String, Object> object = new LinkedHashMap<>();
                for (JsonToken next = parser.nextToken(); next != JsonToken.END_OBJECT; next = parser.nextToken()) {
                    String name = parser.currentName();
                    if (object.containsKey(name) && duplicate[0] == null) {
                        duplicate[0] = name;
                    }
                    object.put(name, read(parser, parser.nextToken(), depth + 1, duplicate));
                }
                return object;
            }
            case START_ARRAY -> {
                nest(depth);
                List<Object> array = new ArrayList<>();
                for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken()) {
                    array.add(read(parser, next, depth + 1, duplicate));
                }
                return array;
            }
            case VALUE_STRING -> {
                return parser.getText();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                String text = parser.getText();
                if (parser.isNaN() && !NON_NUMERIC.contains(text)) {
                    throw new Rejection("malformed_json", "Expecting value: " + head(text, 20));
                }
                if (text.length() > rules.maxNumberChars) {
                    throw new Rejection("malformed_json", "a number literal has " + text.length() + " digits, limit "
                        + rules.maxNumberChars);
                }
                return new Num(token == JsonToken.VALUE_NUMBER_INT, text);
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return JSON_NULL;
            }
            default -> throw new Rejection("malformed_json", "unexpected " + token);
        }
    }

    private void nest(int depth) throws Rejection {
        if (depth > rules.maxNestingDepth) {
            throw new Rejection("malformed_json", "JSON nested deeper than " + rules.maxNestingDepth + " levels");
        }
    }

    private Object[] validateEvent(Object root, Instant now) throws Rejection {
        if (!(root instanceof Map<?, ?> object)) {
            throw new Rejection("not_an_object", "top-level JSON value is a " + pythonType(root) + ", not an object");
        }
        Object version = object.get("schema_version");
        if (version != null && version != JSON_NULL) {
            if (!(version instanceof Num number) || !number.integral()) {
                throw new Rejection("wrong_type", "schema_version must be an integer, got " + pythonType(version));
            }
            if (!new BigInteger(number.text()).equals(BigInteger.valueOf(rules.schemaVersion))) {
                throw new Rejection("unsupported_schema_version", "schema_version=" + head(number.text(), 20)
                    + ", this reader knows " + rules.schemaVersion);
            }
        }
        Object[] event = new Object[rules.fields.size()];
        Double salaryMin = null;
        Double salaryMax = null;
        for (int i = 0; i < event.length; i++) {
            ContractRules.Field field = rules.fields.get(i);
            Object value = object.get(field.name());
            if (value == null || value == JSON_NULL) {
                if (field.required()) {
                    throw new Rejection("missing_field", field.name() + " is required");
                }
                continue;
            }
            event[i] = check(field, value, now);
            if (field.name().equals("salary_min")) {
                salaryMin = (Double) event[i];
            } else if (field.name().equals("salary_max")) {
                salaryMax = (Double) event[i];
            }
        }
        if (salaryMin != null && salaryMax != null && salaryMin > salaryMax) {
            throw new Rejection("bad_value", "salary_min " + salaryMin + " is above salary_max " + salaryMax);
        }
        return event;
    }

    private Object check(ContractRules.Field field, Object value, Instant now) throws Rejection {
        String name = field.name();
        switch (field.kind()) {
            case "string", "timestamp" -> {
                if (!(value instanceof String text)) {
                    throw new Rejection("wrong_type", name + " must be a string, got " + pythonType(value));
                }
                if (hasUnpairedSurrogate(text)) {
                    throw new Rejection("not_utf8", name + " contains an unpaired surrogate escape; send real UTF-8 text");
                }
                Instant moment = field.kind().equals("timestamp") ? timestamp(name, text, now) : null;
                if (field.needsVisibleText() && !hasVisibleCharacter(text)) {
                    throw new Rejection("bad_value", name + " is empty (no visible character)");
                }
                int length = text.codePointCount(0, text.length());
                if (field.maxChars() >= 0 && length > field.maxChars()) {
                    throw new Rejection("too_large", name + " has " + length + " characters, limit " + field.maxChars());
                }
                if (field.choices() != null && !field.choices().contains(text)) {
                    throw new Rejection("bad_value", name + "='" + head(text, 40) + "' is not one of the allowed values");
                }
                return moment != null ? moment : text;
            }
            case "boolean" -> {
                if (!(value instanceof Boolean)) {
                    throw new Rejection("wrong_type", name + " must be true or false, got " + pythonType(value));
                }
                return value;
            }
            case "number" -> {
                double number = value instanceof Num literal ? Double.parseDouble(literal.text()) : Double.NaN;
                if (!Double.isFinite(number)) {
                    throw new Rejection("wrong_type", name + " must be a finite number, got " + pythonType(value));
                }
                if (number < 0) {
                    throw new Rejection("bad_value", name + " must not be negative");
                }
                return number;
            }
            case "integer" -> {
                if (!(value instanceof Num literal) || !literal.integral()) {
                    throw new Rejection("wrong_type", name + " must be an integer, got " + pythonType(value));
                }
                return new BigInteger(literal.text()).intValueExact();
            }
            default -> throw new IllegalStateException("unknown field kind " + field.kind());
        }
    }

    private Instant timestamp(String name, String text, Instant now) throws Rejection {
        Matcher match = rules.timestamp.matcher(text);
        Rejection notIso = new Rejection("bad_timestamp", name + "='" + head(text, 40)
            + "' is not ISO-8601 (YYYY-MM-DDTHH:MM:SS[.ffffff] with Z or +hh:mm)");
        if (!match.matches()) {
            throw notIso;
        }
        int offsetSeconds = 0;
        if (match.group(8) != null) {
            int hours = Integer.parseInt(match.group(9));
            int minutes = Integer.parseInt(match.group(10));
            if (hours > 23 || minutes > 59) {
                throw notIso;
            }
            offsetSeconds = (hours * 3600 + minutes * 60) * (match.group(8).equals("+") ? 1 : -1);
        }
        int year = Integer.parseInt(match.group(1));
        String fraction = match.group(7) == null ? "0" : match.group(7);
        LocalDateTime local;
        try {
            if (year < 1) {
                throw new DateTimeException("year 0");
            }
            local = LocalDateTime.of(year, Integer.parseInt(match.group(2)), Integer.parseInt(match.group(3)),
                Integer.parseInt(match.group(4)), Integer.parseInt(match.group(5)), Integer.parseInt(match.group(6)));
        } catch (DateTimeException e) {
            throw notIso;
        }
        long micros = Long.parseLong((fraction + "00000").substring(0, 6));
        long epochMicros = local.toEpochSecond(ZoneOffset.ofTotalSeconds(offsetSeconds)) * MICROS + micros;
        long latest = (now.getEpochSecond() + rules.futureSlackSeconds) * MICROS + now.getNano() / 1000;
        if (epochMicros < rules.earliestEpochSecond * MICROS || epochMicros > latest) {
            throw new Rejection("bad_timestamp", name + "=" + text + " is outside the plausible window");
        }
        return Instant.ofEpochSecond(Math.floorDiv(epochMicros, MICROS), Math.floorMod(epochMicros, MICROS) * 1000);
    }

    private boolean hasVisibleCharacter(String text) {
        return text.codePoints().anyMatch(codePoint -> !rules.isInvisible(codePoint));
    }

    private static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static String pythonType(Object value) {
        if (value instanceof Map) {
            return "dict";
        }
        if (value instanceof List) {
            return "list";
        }
        if (value instanceof String) {
            return "str";
        }
        if (value instanceof Boolean) {
            return "bool";
        }
        if (value instanceof Num number) {
            return number.integral() ? "int" : "float";
        }
        return "NoneType";
    }

    private static String head(String text, int limit) {
        return text.length() <= limit ? text : text.substring(0, limit);
    }
}
