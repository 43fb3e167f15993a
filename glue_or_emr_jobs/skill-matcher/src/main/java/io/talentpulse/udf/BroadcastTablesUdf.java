package io.talentpulse.udf;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.api.java.UDF1;

/**
 * The shape the job's UDFs share: tables Python compiles travel as a broadcast variable, so each executor
 * fetches them once, and each JVM builds the object that applies them once per broadcast (the driver's is
 * the executors' in local mode). The object is built on the driver when the UDF is made, so tables that do
 * not load fail there, not in a task. talent_pulse/stream/jvm.py creates the broadcast and the column.
 *
 * @param <T> what applies the tables (a matcher, a validator, a gazetteer)
 */
public abstract class BroadcastTablesUdf<T, I, O> implements UDF1<I, O> {
    private static final long serialVersionUID = 1L;
    private static final ConcurrentHashMap<Built, Object> BUILT = new ConcurrentHashMap<>();

    private record Built(Class<?> udf, long broadcast) { }

    private final Broadcast<String> tables;
    private transient T applier;

    protected BroadcastTablesUdf(Broadcast<String> tables) {
        this.tables = tables;
        applier();
    }

    /** What applies {@code tables} (the broadcast's value), built once per broadcast and JVM. */
    protected abstract T build(String tables);

    /** The built object of this UDF's broadcast (deserialized in a task, the UDF looks it up once). */
    @SuppressWarnings("unchecked")
    protected final T applier() {
        if (applier == null) {
            Function<Built, Object> make = key -> build(tables.value());
            applier = (T) BUILT.computeIfAbsent(new Built(getClass(), tables.id()), make);
        }
        return applier;
    }
}
