package io.talentpulse.contract;

import io.talentpulse.udf.BroadcastTablesUdf;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;

/**
 * Raw Kafka value -> struct of the contract's fields plus reason_code and reason, as a Spark UDF over the
 * broadcast rules. talent_pulse/stream/transforms.py creates the broadcast and the column.
 */
public final class ValidateUdf extends BroadcastTablesUdf<Validator, byte[], Row> {
    private static final long serialVersionUID = 1L;

    public ValidateUdf(Broadcast<String> rules) {
        super(rules);
    }

    /** The UDF as a function of one binary column, returning {@code schemaJson} (the parsed schema). */
    public static UserDefinedFunction function(Broadcast<String> rules, String schemaJson) {
        return functions.udf(new ValidateUdf(rules), DataType.fromJson(schemaJson));
    }

    @Override
    protected Validator build(String rules) {
        return new Validator(rules);
    }

    @Override
    public Row call(byte[] value) {
        return RowFactory.create(applier().validate(value));
    }
}
