package io.talentpulse.locations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.talentpulse.udf.JunitData;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java gazetteer over texts whose slugs talent_pulse/gazetteer.py gives (written by the pytest). */
class GazetteerTest {
    private static Gazetteer gazetteer;

    @BeforeAll
    static void load() {
        gazetteer = new Gazetteer(JunitData.text("gazetteer-tables.json"));
    }

    @Test
    void everyTextResolvesToItsSlug() {
        JsonNode cases = JunitData.json("gazetteer-cases.json");
        assertTrue(cases.size() >= 90, "the labelled cases of tests/unit/test_gazetteer.py");
        assertEquals(List.of(), JunitData.wrongAnswers(cases, text -> gazetteer.normalise(text).slug(),
            labelled -> labelled.get("slug").asText()));
    }

    @Test
    void noTextIsUnknown() {
        assertEquals("unknown", gazetteer.normalise(null).slug());
        assertEquals("unknown", gazetteer.normalise("  ,; ").slug());
    }

    @Test
    void tablesOfAnotherFormatAreRefused() {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
            () -> new Gazetteer("{\"format\": \"something else\"}"));
        assertTrue(failure.getMessage().contains("compiled_tables()"), failure.getMessage());
    }
}
