package io.talentpulse.skills;

import io.talentpulse.udf.BroadcastTablesUdf;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * UTF-8 text -> sorted canonical skills, as a Spark UDF over the broadcast skill tables.
 * talent_pulse/skills/spark.py creates the broadcast and the column.
 */
public final class SkillsUdf extends BroadcastTablesUdf<SkillMatcher, byte[], String[]> {
    private static final long serialVersionUID = 1L;

    public SkillsUdf(Broadcast<String> tables) {
        super(tables);
    }

    /** The UDF as a function of one binary column (a text's UTF-8 bytes, as Spark holds them), returning array&lt;string&gt;. */
    public static UserDefinedFunction function(Broadcast<String> tables) {
        return functions.udf(new SkillsUdf(tables), DataTypes.createArrayType(DataTypes.StringType));
    }

    @Override
    protected SkillMatcher build(String tables) {
        return new SkillMatcher(tables);
    }

    @Override
    public String[] call(byte[] utf8) {
        SkillMatcher matcher = applier();
        try {
            return matcher.extract(utf8);
        } catch (RuntimeException failure) {
            return null; // the job quarantines the record as processing_error instead of failing the batch
        }
    }
}
