package io.talentpulse.skills;

import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * UTF-8 text -> sorted canonical skills, as a Spark UDF. The compiled tables travel as a broadcast
 * variable, so each executor fetches them once; each JVM builds its matcher once per broadcast.
 * talent_pulse/skills/spark.py creates the broadcast and the column.
 */
public final class SkillsUdf implements UDF1<byte[], String[]> {
    private static final long serialVersionUID = 1L;
    private static final ConcurrentHashMap<Long, SkillMatcher> MATCHERS = new ConcurrentHashMap<>();

    private final Broadcast<String> tables;
    private transient SkillMatcher matcher;

    public SkillsUdf(Broadcast<String> tables) {
        this.tables = tables;
        matcher = matcherFor(tables); // on the driver: tables that do not load fail here, not in a task
    }

    /** The UDF as a function of one binary column (a text's UTF-8 bytes, as Spark holds them), returning array&lt;string&gt;. */
    public static UserDefinedFunction function(Broadcast<String> tables) {
        return functions.udf(new SkillsUdf(tables), DataTypes.createArrayType(DataTypes.StringType));
    }

    @Override
    public String[] call(byte[] utf8) {
        if (matcher == null) { // deserialized in a task
            matcher = matcherFor(tables);
        }
        try {
            return matcher.extract(utf8);
        } catch (RuntimeException failure) {
            return null; // the job quarantines the record as processing_error instead of failing the batch
        }
    }

    /** One matcher per broadcast and JVM (the driver's is the executors' in local mode). */
    private static SkillMatcher matcherFor(Broadcast<String> tables) {
        return MATCHERS.computeIfAbsent(tables.id(), id -> new SkillMatcher(tables.value()));
    }
}
