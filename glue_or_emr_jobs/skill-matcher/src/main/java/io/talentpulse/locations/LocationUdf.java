package io.talentpulse.locations;

import io.talentpulse.udf.BroadcastTablesUdf;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;

/**
 * Free-text location -> struct(slug, city, country, region), as a Spark UDF over the broadcast gazetteer
 * tables. talent_pulse/stream/transforms.py makes the column.
 */
public final class LocationUdf extends BroadcastTablesUdf<Gazetteer, String, Row> {
    private static final long serialVersionUID = 1L;

    public LocationUdf(Broadcast<String> tables) {
        super(tables);
    }

    /** The UDF as a function of one string column, returning {@code schemaJson} (slug, city, country, region). */
    public static UserDefinedFunction function(Broadcast<String> tables, String schemaJson) {
        return functions.udf(new LocationUdf(tables), DataType.fromJson(schemaJson));
    }

    @Override
    protected Gazetteer build(String tables) {
        return new Gazetteer(tables);
    }

    @Override
    public Row call(String text) {
        Gazetteer gazetteer = applier();
        Gazetteer.Location location;
        try {
            location = gazetteer.normalise(text);
        } catch (RuntimeException failure) {
            return null; // the job quarantines the record as processing_error instead of failing the batch
        }
        return RowFactory.create(location.slug(), location.city(), location.country(), location.region());
    }
}
