package io.xaiscale.jobs.delta;

import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * A Delta table of the project: its name under a warehouse root, its schema (snake_case) and the key
 * that makes writes idempotent. Rows are built by column name ({@link #row()}), never by position: a new
 * column is one line in the schema plus the value where it is computed, and a row that leaves a column
 * unset, sets one that does not exist or gives it a value of the wrong type fails when it is built.
 */
public record Table(String name, StructType schema, List<String> key) implements Serializable {

    public Table {
        for (String k : key) {
            schema.fieldIndex(k); // fails on a key that is not a column
        }
        key = List.copyOf(key);
        schema = ColumnComments.commented(name, schema);
    }

    /** What the table holds and its key: its Delta table comment (null for a table of no project's). */
    public String description() {
        return ColumnComments.table(this);
    }

    /** The comment of each column (Delta keeps it in the table's schema; DESCRIBE TABLE shows it). */
    public String comment(String column) {
        return ColumnComments.of(name, column);
    }

    /** Path of this table under {@code warehouse} (a local directory or an {@code s3a://} prefix). */
    public String path(String warehouse) {
        return Tables.path(warehouse, name);
    }

    /** This table's columns in schema order, to select a frame's columns as the table has them. */
    public Column[] columns() {
        return Arrays.stream(schema.fieldNames()).map(functions::col).toArray(Column[]::new);
    }

    /**
     * Column {@code name} of {@code frame}, a frame of this table; a typed null when the frame was
     * written before the column existed (the next write adds it: sessions merge schemas).
     */
    public Column column(Dataset<Row> frame, String name) {
        return Arrays.asList(frame.columns()).contains(name)
                ? frame.col(name)
                : functions.lit(null).cast(schema.apply(name).dataType());
    }

    /** The value of an {@code array<double>} column from floats. */
    public static Seq<Double> doubles(float[] values) {
        List<Double> v = new ArrayList<>(values.length);
        for (float f : values) {
            v.add((double) f);
        }
        return JavaConverters.asScalaBuffer(v).toSeq();
    }

    /** The value of an {@code array<int>} column. */
    public static Seq<Integer> ints(int[] values) {
        List<Integer> v = new ArrayList<>(values.length);
        for (int i : values) {
            v.add(i);
        }
        return JavaConverters.asScalaBuffer(v).toSeq();
    }

    /** A builder of one row of this table. */
    public RowBuilder row() {
        return new RowBuilder(this);
    }

    /** The index of each column by name. */
    Map<String, Integer> indexes() {
        Map<String, Integer> out = new HashMap<>();
        StructField[] f = schema.fields();
        for (int i = 0; i < f.length; i++) {
            out.put(f[i].name(), i);
        }
        return out;
    }

    /**
     * Values of one row, set by column name. Every column must be set, to null where the column
     * allows it ({@link #absent}), so a column added to the schema fails every builder that does not
     * say what goes in it; {@code xai_version} is set from the start, to the build that writes the row
     * ({@link Provenance#BUILD}). A builder can be copied, so rows that share columns (an explanation and
     * the error row of the same image and method) set them once.
     */
    public static final class RowBuilder {
        private final Table table;
        private final Map<String, Integer> index;
        private final Object[] values;
        private final boolean[] set;

        private RowBuilder(Table table) {
            this(table, table.indexes(), new Object[table.schema.size()], new boolean[table.schema.size()]);
            if (index.containsKey(Provenance.COLUMN)) {
                set(Provenance.COLUMN, Provenance.BUILD); // every row says which build wrote it
            }
        }

        private RowBuilder(Table table, Map<String, Integer> index, Object[] values, boolean[] set) {
            this.table = table;
            this.index = index;
            this.values = values;
            this.set = set;
        }

        /** Sets {@code column} to {@code value} (null for a nullable column). */
        public RowBuilder set(String column, Object value) {
            Integer i = index.get(column);
            if (i == null) {
                throw new IllegalArgumentException("Unknown column of " + table.name + ": " + column + " (valid: "
                        + String.join(", ", table.schema.fieldNames()) + ")");
            }
            StructField f = table.schema.fields()[i];
            if (value == null && !f.nullable()) {
                throw new IllegalArgumentException("Column " + table.name + "." + column + " cannot be null");
            }
            if (value != null && !fits(f.dataType(), value)) {
                throw new IllegalArgumentException("Column " + table.name + "." + column + " is "
                        + f.dataType().simpleString() + ", not "
                        + value.getClass().getSimpleName() + " (" + value + ")");
            }
            values[i] = value;
            set[i] = true;
            return this;
        }

        /** Sets each of {@code columns} to null: no value, where the column allows it. */
        public RowBuilder absent(String... columns) {
            for (String c : columns) {
                set(c, null);
            }
            return this;
        }

        /** Sets every column of {@code from} that this table has too (the key of an input row, say). */
        public RowBuilder copy(Row from, String... columns) {
            for (String c : columns) {
                set(c, from.getAs(c));
            }
            return this;
        }

        /** An independent copy, with the values set so far. */
        public RowBuilder copy() {
            return new RowBuilder(table, index, values.clone(), set.clone());
        }

        /** The row, in the schema's column order; fails naming every column that was not set. */
        public Row build() {
            StringBuilder missing = new StringBuilder();
            for (int i = 0; i < set.length; i++) {
                if (!set[i]) {
                    missing.append(missing.length() == 0 ? "" : ", ").append(table.schema.fields()[i].name());
                }
            }
            if (missing.length() > 0) {
                throw new IllegalStateException("Row of " + table.name + " without a value for: " + missing
                        + " (set each column, or mark it absent)");
            }
            return RowFactory.create(Arrays.copyOf(values, values.length));
        }

        private static boolean fits(DataType t, Object v) {
            if (t.equals(DataTypes.StringType)) {
                return v instanceof String;
            } else if (t.equals(DataTypes.IntegerType)) {
                return v instanceof Integer;
            } else if (t.equals(DataTypes.LongType)) {
                return v instanceof Long;
            } else if (t.equals(DataTypes.DoubleType)) {
                return v instanceof Double;
            } else if (t.equals(DataTypes.BooleanType)) {
                return v instanceof Boolean;
            } else if (t.equals(DataTypes.BinaryType)) {
                return v instanceof byte[];
            } else if (t.equals(DataTypes.TimestampType)) {
                return v instanceof Timestamp;
            } else if (t instanceof StructType) {
                return v instanceof Row;
            } else if (t instanceof ArrayType) {
                return v instanceof Seq || v.getClass().isArray();
            }
            return true;
        }
    }
}
