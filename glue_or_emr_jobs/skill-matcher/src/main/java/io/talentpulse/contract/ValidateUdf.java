package io.talentpulse.contract;

import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;

/**
 * Raw Kafka value -> struct of the contract's fields plus reason_code and reason, as a Spark UDF. The
 * rules travel as a broadcast variable; each JVM builds its validator once per broadcast.
 * talent_pulse/stream/transforms.py creates the broadcast and the column.
 */
public final class ValidateUdf implements UDF1<byte[], Row> {
    private static final long serialVersionUID = 1L;
    private static final ConcurrentHashMap<Long, Validator> VALIDATORS = new ConcurrentHashMap<>();

    private final Broadcast<String> rules;
    private transient Validator validator;

    public ValidateUdf(Broadcast<String> rules) {
        this.rules = rules;
        validator = validatorFor(rules); // on the driver: rules that do not load fail here, not in a task
    }

    /** The UDF as a function of one binary column, returning {@code schemaJson} (the parsed schema). */
    public static UserDefinedFunction function(Broadcast<String> rules, String schemaJson) {
        return functions.udf(new ValidateUdf(rules), DataType.fromJson(schemaJson));
    }

    @Override
    public Row call(byte[] value) {
        if (validator == null) {
            validator = validatorFor(rules);
        }
        return RowFactory.create(validator.validate(value));
    }

    private static Validator validatorFor(Broadcast<String> rules) {
        return VALIDATORS.computeIfAbsent(rules.id(), id -> new Validator(rules.value()));
    }
}
