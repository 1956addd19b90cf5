package io.xaiscale.jobs.delta;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.utils.CloseableIterator;
import java.io.IOException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;
import scala.collection.JavaConverters;

/**
 * Small Delta tables (the audit's ledger, a run's findings) read on the driver alone with Delta Kernel:
 * the table's log and data files, no Spark job, so nothing waits for executors to start or for Spark's
 * first query to compile. The rows come as Spark rows of the columns asked for, as a Spark read would
 * give them ({@code getAs} by name, arrays as lists, timestamps as {@link Timestamp}); a column the
 * table does not have yet (written before it existed) is null.
 */
public final class DriverReads {
    private DriverReads() {}

    /** Every row of the Delta table at {@code path} with {@code columns}; none when there is no table. */
    public static List<Row> rows(Configuration conf, String path, StructType columns) throws IOException {
        Engine engine = DefaultEngine.create(conf);
        Snapshot snapshot;
        try {
            snapshot = io.delta.kernel.Table.forPath(engine, path).getLatestSnapshot(engine);
        } catch (TableNotFoundException e) {
            return List.of();
        }
        io.delta.kernel.types.StructType schema = snapshot.getSchema(engine);
        io.delta.kernel.types.StructType read = new io.delta.kernel.types.StructType();
        for (StructField f : columns.fields()) {
            if (schema.indexOf(f.name()) >= 0) {
                read = read.add(schema.get(f.name()));
            }
        }
        List<Row> out = new ArrayList<>();
        if (read.length() == 0) {
            return out;
        }
        Scan scan = snapshot.getScanBuilder(engine).withReadSchema(engine, read).build();
        io.delta.kernel.data.Row state = scan.getScanState(engine);
        io.delta.kernel.types.StructType physical = ScanStateRow.getPhysicalDataReadSchema(engine, state);
        try (CloseableIterator<FilteredColumnarBatch> files = scan.getScanFiles(engine)) {
            while (files.hasNext()) {
                try (CloseableIterator<io.delta.kernel.data.Row> fileRows =
                        files.next().getRows()) {
                    while (fileRows.hasNext()) {
                        io.delta.kernel.data.Row file = fileRows.next();
                        CloseableIterator<ColumnarBatch> data = engine.getParquetHandler()
                                .readParquetFiles(
                                        Utils.singletonCloseableIterator(InternalScanFileUtils.getAddFileStatus(file)),
                                        physical,
                                        Optional.empty());
                        try (CloseableIterator<FilteredColumnarBatch> batches =
                                Scan.transformPhysicalData(engine, state, file, data)) {
                            while (batches.hasNext()) {
                                add(batches.next(), columns, out);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The selected rows of {@code batch} (a deletion vector leaves rows out) as Spark rows of {@code columns}. */
    private static void add(FilteredColumnarBatch batch, StructType columns, List<Row> out) {
        ColumnarBatch data = batch.getData();
        Optional<ColumnVector> selected = batch.getSelectionVector();
        io.delta.kernel.types.StructType schema = data.getSchema();
        for (int r = 0; r < data.getSize(); r++) {
            if (selected.isPresent()
                    && (selected.get().isNullAt(r) || !selected.get().getBoolean(r))) {
                continue;
            }
            Object[] values = new Object[columns.size()];
            for (int c = 0; c < values.length; c++) {
                StructField f = columns.fields()[c];
                int at = schema.indexOf(f.name());
                values[c] = at < 0 ? null : value(data.getColumnVector(at), r, f.dataType());
            }
            out.add(new GenericRowWithSchema(values, columns));
        }
    }

    /** Row {@code r} of {@code v} as Spark holds a value of {@code type}. */
    static Object value(ColumnVector v, int r, DataType type) {
        if (v.isNullAt(r)) {
            return null;
        }
        if (type instanceof StringType) {
            return v.getString(r);
        } else if (type instanceof LongType) {
            return v.getLong(r);
        } else if (type instanceof IntegerType) {
            return v.getInt(r);
        } else if (type instanceof DoubleType) {
            return v.getDouble(r);
        } else if (type instanceof FloatType) {
            return v.getFloat(r);
        } else if (type instanceof BooleanType) {
            return v.getBoolean(r);
        } else if (type instanceof BinaryType) {
            return v.getBinary(r);
        } else if (type instanceof TimestampType) {
            long micros = v.getLong(r);
            Timestamp t = new Timestamp(Math.floorDiv(micros, 1000));
            t.setNanos((int) Math.floorMod(micros, 1_000_000) * 1000);
            return t;
        } else if (type instanceof ArrayType a) {
            io.delta.kernel.data.ArrayValue array = v.getArray(r);
            ColumnVector elements = array.getElements();
            List<Object> list = new ArrayList<>(array.getSize());
            for (int i = 0; i < array.getSize(); i++) {
                list.add(value(elements, i, a.elementType()));
            }
            return JavaConverters.asScalaBuffer(list).toSeq();
        } else if (type instanceof StructType s) {
            // by name: a struct written before a field was added lacks it (null)
            io.delta.kernel.types.StructType stored = (io.delta.kernel.types.StructType) v.getDataType();
            Object[] fields = new Object[s.size()];
            for (int i = 0; i < fields.length; i++) {
                int at = stored.indexOf(s.fields()[i].name());
                fields[i] = at < 0 ? null : value(v.getChild(at), r, s.fields()[i].dataType());
            }
            return new GenericRowWithSchema(fields, s);
        }
        throw new IllegalArgumentException("DriverReads: no conversion of " + type.simpleString() + " yet");
    }
}
