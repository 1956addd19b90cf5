package io.xaiscale.jobs.ml;

import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.runtime.ModelRef;
import io.xaiscale.jobs.stage.Stage;
import io.xaiscale.jobs.stage.StageRunner;
import io.xaiscale.jobs.stage.StageSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

/**
 * What the project's Spark ML stages share: the model they load on the executors (once per executor
 * JVM, as the jobs do), the input column of image bytes, the ground-truth columns, batch sizes and
 * partitions, the warehouse of reference sets. Params are validated on the driver by {@link #transformSchema} before any task runs,
 * with messages naming the param, the value and what is valid; the stages save and load with Spark ML's
 * default params persistence.
 *
 * @param <T> the concrete stage, so that setters chain
 */
public abstract class ModelStage<T extends ModelStage<T>> extends Transformer implements DefaultParamsWritable {
    private final String uid;
    private final Param<String> modelPath;
    private final Param<String> inputCol;
    private final IntParam batchSize;
    private final IntParam internalBatchSize;
    private final IntParam numPartitions;
    private final Param<String> warehouse;
    private final Param<String> labelCol;
    private final Param<String> boxesCol;

    protected ModelStage(String uid) {
        this.uid = uid;
        modelPath =
                new Param<>(this, "modelPath", "the model directory (model.json + weights): local, hdfs:// or s3a://");
        inputCol = new Param<>(
                this,
                "inputCol",
                "the image column: binary file bytes (the binaryFile source's content) or the image source's struct");
        batchSize = new IntParam(this, "batchSize", "images per batch on the executors (1..4096)");
        internalBatchSize = new IntParam(
                this, "internalBatchSize", "images per model call inside a method's or metric's stacks (1..65536)");
        numPartitions =
                new IntParam(this, "numPartitions", "partitions of the work (0: the session's default parallelism)");
        warehouse = new Param<>(
                this, "warehouse", "the warehouse whose reference_sets table the SHAP-family methods read (optional)");
        labelCol =
                new Param<>(this, "labelCol", "integer class column (ground truth; targets label, labels); optional");
        boxesCol = new Param<>(
                this,
                "boxesCol",
                "boxes column of the images table's type (ground truth: targets labels, localisation); optional");
        setDefault(labelCol, "label");
        setDefault(boxesCol, "boxes");
        setDefault(modelPath, "");
        setDefault(inputCol, "content");
        setDefault(batchSize, 16);
        setDefault(internalBatchSize, 64);
        setDefault(numPartitions, 0);
        setDefault(warehouse, "");
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> modelPath() {
        return modelPath;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public IntParam internalBatchSize() {
        return internalBatchSize;
    }

    public IntParam numPartitions() {
        return numPartitions;
    }

    public Param<String> warehouse() {
        return warehouse;
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    public Param<String> boxesCol() {
        return boxesCol;
    }

    public T setLabelCol(String v) {
        set(labelCol, v);
        return self();
    }

    public T setBoxesCol(String v) {
        set(boxesCol, v);
        return self();
    }

    public String getLabelCol() {
        return getOrDefault(labelCol);
    }

    public String getBoxesCol() {
        return getOrDefault(boxesCol);
    }

    @SuppressWarnings("unchecked")
    protected T self() {
        return (T) this;
    }

    public T setModelPath(String v) {
        set(modelPath, v);
        return self();
    }

    public T setInputCol(String v) {
        set(inputCol, v);
        return self();
    }

    public T setBatchSize(int v) {
        set(batchSize, v);
        return self();
    }

    public T setInternalBatchSize(int v) {
        set(internalBatchSize, v);
        return self();
    }

    public T setNumPartitions(int v) {
        set(numPartitions, v);
        return self();
    }

    public T setWarehouse(String v) {
        set(warehouse, v);
        return self();
    }

    public String getModelPath() {
        return getOrDefault(modelPath);
    }

    public String getInputCol() {
        return getOrDefault(inputCol);
    }

    public int getBatchSize() {
        return (Integer) getOrDefault(batchSize);
    }

    public int getInternalBatchSize() {
        return (Integer) getOrDefault(internalBatchSize);
    }

    public int getNumPartitions() {
        return (Integer) getOrDefault(numPartitions);
    }

    public String getWarehouse() {
        return getOrDefault(warehouse);
    }

    /** The error of a wrong param value: the stage, the param, the value and what is valid. */
    protected IllegalArgumentException invalid(Param<?> p, Object value, String valid) {
        return new IllegalArgumentException("Invalid " + p.name() + " of " + uid + ": '" + value + "' (" + valid + ")");
    }

    /** {@code parse} of param {@code p}'s value; its error becomes one naming the param ({@link #invalid}). */
    protected <V> V parsed(Param<String> p, Function<String, V> parse) {
        String value = getOrDefault(p);
        try {
            return parse.apply(value);
        } catch (IllegalArgumentException e) {
            throw invalid(p, value, e.getMessage());
        }
    }

    /** Fails unless the input column holds image bytes or the image source's struct ({@link ImageInput}). */
    protected void checkInput(StructType schema) {
        String problem = ImageInput.problem(schema, getInputCol());
        if (problem != null) {
            throw invalid(inputCol, getInputCol(), problem);
        }
    }

    /** Fails when the label or boxes column exists with another type than the images table's. */
    protected void checkGroundTruth(StructType schema) {
        checkColumn(schema, labelCol, getLabelCol(), NumericType.class, "an integer class");
        checkColumn(
                schema,
                boxesCol,
                getBoxesCol(),
                null,
                Tables.IMAGES.schema().apply("boxes").dataType().catalogString());
    }

    /** Fails when column {@code name} exists but is not of {@code kind} (or, with kind null, of type {@code expected}). */
    private void checkColumn(StructType schema, Param<String> p, String name, Class<?> kind, String expected) {
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            return;
        }
        DataType t = schema.apply(name).dataType();
        boolean ok = kind != null ? kind.isInstance(t) : t.catalogString().equals(expected);
        if (!ok) {
            throw invalid(p, name, "column '" + name + "' is " + t.catalogString() + "; expected " + expected);
        }
    }

    /** The checked model and the settings of the stage's work; fails on a missing or unreadable model. */
    protected Checked checked() {
        String path = getModelPath();
        if (path.isBlank()) {
            throw invalid(modelPath, path, "set it to a model directory, e.g. models/fmnist-loc-cnn");
        }
        int batch = getBatchSize();
        if (batch < 1 || batch > 4096) {
            throw invalid(batchSize, batch, "1..4096");
        }
        int internal = getInternalBatchSize();
        if (internal < 1 || internal > 65536) {
            throw invalid(internalBatchSize, internal, "1..65536");
        }
        if (getNumPartitions() < 0) {
            throw invalid(numPartitions, getNumPartitions(), "0 (the default parallelism) or more");
        }
        ModelRef.Checked model;
        try {
            model = ModelRef.check(path, internal);
        } catch (IOException e) {
            throw invalid(modelPath, path, "no readable model there: " + e.getMessage());
        } catch (UncheckedIOException e) {
            throw invalid(
                    modelPath, path, "no readable model there: " + e.getCause().getMessage());
        }
        String wh = getWarehouse().isBlank() ? null : getWarehouse();
        return new Checked(model, new StageSettings(wh, model.ref(), batch, getNumPartitions(), Long.MAX_VALUE, false));
    }

    /** A model checked on the driver and the stage settings of this stage's params. */
    protected record Checked(ModelRef.Checked model, StageSettings settings) {}

    /**
     * The output rows of {@code stage} over {@code items} through the jobs' executor path
     * ({@link StageRunner#compute}), in {@code numPartitions} partitions (0: the session's default parallelism).
     */
    protected Dataset<Row> compute(SparkSession spark, Stage stage, Dataset<Row> items) {
        int partitions = getNumPartitions() > 0
                ? getNumPartitions()
                : spark.sparkContext().defaultParallelism();
        return StageRunner.compute(
                spark, stage, items, partitions, spark.sparkContext().longAccumulator(uid));
    }

    /** Fails when {@code schema} has none of {@code columns}: the output would overwrite them. */
    protected void checkNoClash(StructType schema, Collection<String> columns, String hint) {
        List<String> clash =
                Arrays.stream(schema.fieldNames()).filter(columns::contains).toList();
        if (!clash.isEmpty()) {
            throw new IllegalArgumentException("Input column(s) " + clash + " of " + uid
                    + " would be overwritten by its output columns: rename or drop them first" + hint);
        }
    }

    @Override
    public T copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
