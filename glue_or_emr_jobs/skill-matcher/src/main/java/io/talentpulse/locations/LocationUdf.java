package io.talentpulse.locations;

import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;

/**
 * Free-text location -> struct(slug, city, country, region), as a Spark UDF over the broadcast gazetteer
 * tables; each JVM builds its gazetteer once per broadcast. talent_pulse/stream/transforms.py makes the column.
 */
public final class LocationUdf implements UDF1<String, Row> {
    private static final long serialVersionUID = 1L;
    private static final ConcurrentHashMap<Long, Gazetteer> GAZETTEERS = new ConcurrentHashMap<>();

    private final Broadcast<String> tables;
    private transient Gazetteer gazetteer;

    public LocationUdf(Broadcast<String> tables) {
        this.tables = tables;
        gazetteer = gazetteerFor(tables); // on the driver: tables that do not load fail here, not in a task
    }

    /** The UDF as a function of one string column, returning {@code schemaJson} (slug, city, country, region). */
    public static UserDefinedFunction function(Broadcast<String> tables, String schemaJson) {
        return functions.udf(new LocationUdf(tables), DataType.fromJson(schemaJson));
    }

    @Override
    public Row call(String text) {
        if (gazetteer == null) {
            gazetteer = gazetteerFor(tables);
        }
        Gazetteer.Location location;
        try {
            location = gazetteer.normalise(text);
        } catch (RuntimeException failure) {
            return null; // the job quarantines the record as processing_error instead of failing the batch
        }
        return RowFactory.create(location.slug(), location.city(), location.country(), location.region());
    }

    private static Gazetteer gazetteerFor(Broadcast<String> tables) {
        return GAZETTEERS.computeIfAbsent(tables.id(), id -> new Gazetteer(tables.value()));
    }
}
