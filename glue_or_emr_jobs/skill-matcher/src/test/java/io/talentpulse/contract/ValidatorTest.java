package io.talentpulse.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.talentpulse.udf.JunitData;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java validator over the records of tests/unit/test_contract.py, chaos records of every kind and generated
 * postings, each labelled with the reason code of talent_pulse.contract.validate_record (null when accepted) and,
 * when accepted, Python's event (written by the pytest). Raw bytes in, as Kafka delivers them.
 */
class ValidatorTest {
    private static Validator validator;
    private static List<String> fieldNames;
    private static JsonNode cases;
    /** case name ("text" of each case) -> the validator's row: the fields, then reason_code and reason */
    private static Map<String, Object[]> rows;

    @BeforeAll
    static void load() {
        String rules = JunitData.text("contract-rules.json");
        validator = new Validator(rules);
        fieldNames = new ArrayList<>();
        JunitData.json("contract-rules.json").get("fields")
            .forEach(field -> fieldNames.add(field.get("name").asText()));
        cases = JunitData.json("contract-cases.json");
        rows = new HashMap<>();
        for (JsonNode labelled : cases) {
            JsonNode value = labelled.get("value");
            byte[] raw = value.isNull() ? null : Base64.getDecoder().decode(value.asText());
            rows.put(labelled.get("text").asText(), validator.validate(raw));
        }
    }

    private static String reasonCode(Object[] row) {
        return (String) row[row.length - 2];
    }

    private static String label(JsonNode labelled) {
        JsonNode code = labelled.get("code");
        return code.isNull() ? null : code.asText();
    }

    @Test
    void everyRecordGetsPythonsReasonCode() {
        Set<String> labels = new HashSet<>();
        cases.forEach(labelled -> labels.add(label(labelled)));
        assertTrue(cases.size() >= 1000 && labels.size() >= 11,
            "every reason code and accepted records, from test_contract.py, chaos.py and the generator: "
            + cases.size() + " cases, labels " + labels);
        assertEquals(List.of(), JunitData.wrongAnswers(cases, name -> reasonCode(rows.get(name)),
            ValidatorTest::label));
        for (Object[] row : rows.values()) {
            String code = reasonCode(row);
            String reason = (String) row[row.length - 1];
            assertTrue(code == null ? reason == null : reason.startsWith(code + ": "), code + " with reason " + reason);
        }
    }

    @Test
    void acceptedRecordsGetPythonsFieldValues() {
        List<String> wrong = new ArrayList<>();
        for (JsonNode labelled : cases) {
            JsonNode event = labelled.get("event");
            if (event.isNull()) {
                continue;
            }
            Object[] row = rows.get(labelled.get("text").asText());
            for (int i = 0; i < fieldNames.size(); i++) {
                Object expected = javaValue(event.get(fieldNames.get(i)));
                Object got = row[i] instanceof Instant moment ? epochMicros(moment) : row[i];
                if (!Objects.equals(got, expected)) {
                    wrong.add(labelled.get("text").asText() + ": " + fieldNames.get(i) + " = " + got + ", expected "
                        + expected);
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    /** Python's value as the validator holds it (a timestamp as epoch microseconds). */
    private static Object javaValue(JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.isBoolean()) {
            return value.asBoolean();
        }
        if (value.isDouble()) {
            return value.asDouble();
        }
        return value.canConvertToInt() ? (Object) value.asInt() : (Object) value.asLong();
    }

    private static long epochMicros(Instant moment) {
        return moment.getEpochSecond() * 1_000_000L + moment.getNano() / 1000;
    }

    @Test
    void theFullRecordOfTheUnitTestsParsesToTypedFields() {
        Object[] full = rows.get("full");
        assertNull(reasonCode(full));
        assertEquals("evt-0001", full[fieldNames.indexOf("event_id")]);
        assertEquals(Instant.parse("2026-11-29T08:15:00Z"), full[fieldNames.indexOf("event_time")]);
        assertEquals(Boolean.FALSE, full[fieldNames.indexOf("remote")]);
        assertEquals(70000.0, full[fieldNames.indexOf("salary_min")]);
        assertEquals(95000.5, full[fieldNames.indexOf("salary_max")]);
        assertEquals(1, full[fieldNames.indexOf("schema_version")]);
        Object[] offset = rows.get("event_time 2026-11-29T03:15:00.123456-05:00");
        assertEquals(Instant.parse("2026-11-29T08:15:00.123456Z"), offset[fieldNames.indexOf("event_time")]);
    }

    @Test
    void rulesOfAnotherFormatAreRefusedWithWhatToDo() {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
            () -> new Validator("{\"format\": \"something else\"}"));
        assertTrue(failure.getMessage().contains("compiled_rules()"), failure.getMessage());
    }
}
