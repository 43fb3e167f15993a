import io.talentpulse.skills.SkillMatcher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JVM half of the matcher's time test (tests/integration/test_skills_spark.py runs it with the JDK's
 * source launcher: java -cp MATCHER_JAR SkillMatcherTiming.java TABLES FILE...). args: the compiled tables, then text files (texts separated by NUL). Prints each file's best time per KB
 * in ns. Rounds interleave the files, so a busy machine slows them alike; the first rounds warm the JIT up.
 */
public class SkillMatcherTiming {
    public static void main(String[] args) throws Exception {
        SkillMatcher matcher = new SkillMatcher(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8));
        int files = args.length - 1;
        byte[][][] texts = new byte[files][][];
        long[] bytes = new long[files];
        long[] best = new long[files];
        for (int f = 0; f < files; f++) {
            String[] parts = Files.readString(Path.of(args[f + 1]), StandardCharsets.UTF_8).split("\u0000");
            texts[f] = new byte[parts.length][];
            for (int t = 0; t < parts.length; t++) {
                texts[f][t] = parts[t].getBytes(StandardCharsets.UTF_8);
                bytes[f] += texts[f][t].length;
            }
            best[f] = Long.MAX_VALUE;
        }
        long found = 0;
        for (int round = 0; round < 60; round++) {
            for (int f = 0; f < files; f++) {
                long start = System.nanoTime();
                for (byte[] text : texts[f]) {
                    found += matcher.extract(text).length;
                }
                long elapsed = System.nanoTime() - start;
                if (round >= 20) {
                    best[f] = Math.min(best[f], elapsed);
                }
            }
        }
        for (int f = 0; f < files; f++) {
            System.out.println(Path.of(args[f + 1]).getFileName() + "\t" + best[f] * 1000 / bytes[f]);
        }
        System.err.println("skills found: " + found);
    }
}
