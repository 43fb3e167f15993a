package io.talentpulse.udf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The files Python writes for the JUnit tests (tests/integration/test_jvm_junit.py): the compiled tables,
 * as the job broadcasts them, and labelled cases. The folder is the system property junit.data.
 */
public final class JunitData {
    private JunitData() { }

    public static String text(String name) {
        try {
            return Files.readString(file(name), StandardCharsets.UTF_8);
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
    }

    public static JsonNode json(String name) {
        try {
            return new ObjectMapper().readTree(file(name).toFile());
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
    }

    /** "text -> answer, expected label" for each case whose answer is not its label. */
    public static List<String> wrongAnswers(JsonNode cases, Function<String, Object> answer,
                                            Function<JsonNode, Object> label) {
        List<String> wrong = new ArrayList<>();
        for (JsonNode labelled : cases) {
            String text = labelled.get("text").asText();
            Object got = answer.apply(text);
            if (!Objects.equals(got, label.apply(labelled))) {
                wrong.add(text + " -> " + got + ", expected " + label.apply(labelled));
            }
        }
        return wrong;
    }

    private static Path file(String name) {
        String folder = System.getProperty("junit.data");
        Path path = Path.of(folder == null ? "junit.data not set" : folder, name);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(path + " is missing: run the JUnit tests through "
                + "tests/integration/test_jvm_junit.py, which writes the tables and cases from Python");
        }
        return path;
    }
}
