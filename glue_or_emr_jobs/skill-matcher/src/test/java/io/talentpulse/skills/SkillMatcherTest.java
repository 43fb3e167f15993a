package io.talentpulse.skills;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.talentpulse.udf.JunitData;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java matcher over the labelled corpus of tests/unit (skill_cases.yaml, skill_postings.yaml). */
class SkillMatcherTest {
    private static SkillMatcher matcher;
    private static JsonNode cases;

    @BeforeAll
    static void load() {
        matcher = new SkillMatcher(JunitData.text("skill-tables.txt"));
        cases = JunitData.json("skill-cases.json");
    }

    private static List<String> labels(JsonNode labelledCase) {
        List<String> labels = new ArrayList<>();
        labelledCase.get("skills").forEach(skill -> labels.add(skill.asText()));
        labels.sort(null);
        return labels;
    }

    @Test
    void everySnippetGivesExactlyItsLabels() {
        JsonNode snippets = cases.get("snippets");
        assertTrue(snippets.size() >= 400, "the snippets of tests/unit/skill_cases.yaml");
        assertEquals(List.of(), JunitData.wrongAnswers(snippets, text -> Arrays.asList(matcher.extract(text)),
            SkillMatcherTest::labels));
    }

    @Test
    void postingsMeetTheQualityTargets() {
        int truePositives = 0;
        int found = 0;
        int labelled = 0;
        for (JsonNode posting : cases.get("postings")) {
            Set<String> expected = new HashSet<>(labels(posting));
            Set<String> got = new HashSet<>(Arrays.asList(matcher.extract(posting.get("text").asText())));
            labelled += expected.size();
            found += got.size();
            got.retainAll(expected);
            truePositives += got.size();
        }
        assertTrue(labelled > 500, "the postings of tests/unit/skill_postings.yaml");
        double precision = (double) truePositives / found;
        double recall = (double) truePositives / labelled;
        assertTrue(precision >= 0.98 && recall >= 0.97, "precision " + precision + ", recall " + recall);
    }

    @Test
    void bytesAndStringGiveTheSameAnswer() {
        for (JsonNode posting : cases.get("postings")) {
            String text = posting.get("text").asText();
            assertArrayEquals(matcher.extract(text), matcher.extract(text.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void noTextHasNoSkills() {
        assertArrayEquals(new String[0], matcher.extract((String) null));
        assertArrayEquals(new String[0], matcher.extract(new byte[0]));
        assertArrayEquals(new String[0], matcher.extract("Sous Chef, go the extra mile"));
    }

    @Test
    void tablesOfAnotherReleaseAreRefusedWithWhatToDo() {
        IllegalArgumentException old = assertThrows(IllegalArgumentException.class,
            () -> new SkillMatcher("talent-pulse-skill-tables\t0\n"));
        assertTrue(old.getMessage().contains("compiled_tables()"), old.getMessage());
        IllegalArgumentException newer = assertThrows(IllegalArgumentException.class,
            () -> new SkillMatcher(JunitData.text("skill-tables.txt") + "synonym\tk8s\t1\n"));
        assertTrue(newer.getMessage().contains("unknown record 'synonym'"), newer.getMessage());
    }
}
