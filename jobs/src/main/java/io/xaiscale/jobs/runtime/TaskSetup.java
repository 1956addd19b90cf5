package io.xaiscale.jobs.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import io.xaiscale.model.ModelCache;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.util.TaskCompletionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a task needs on its executor: the device (the GPU Spark assigned to the task, else CPU),
 * libtorch threads set from {@code spark.task.cpus} once per JVM, the model from the per-JVM cache,
 * and a per-task native-memory scope closed by a task-completion listener (a lazily consumed
 * partition iterator cannot be wrapped in try-with-resources).
 */
public final class TaskSetup {
    private static final Logger LOG = LoggerFactory.getLogger(TaskSetup.class);
    private static final AtomicBoolean THREADS_SET = new AtomicBoolean();

    private TaskSetup() {}

    /** A task's model and its native-memory scope. */
    public record TaskModel(Classifier model, NDManager scope) {}

    /** The model of {@code ref} for this task: cached per executor JVM, with the stage's internal batch size. */
    public static TaskModel forTask(ModelRef ref) {
        TaskModel t = forTask(ref.uri(), ref.key(), ref.weightsSha256(), ref.internalBatchSize());
        if (ref.weightsSha256() != null && !ref.weightsSha256().equals(t.model().weightsSha256())) {
            t.scope().close();
            throw new IllegalStateException("Model " + ref.key() + " at " + ref.uri() + " changed while the job ran:"
                    + " the driver checked weights with sha256 " + ref.weightsSha256() + ", this executor read "
                    + t.model().weightsSha256());
        }
        return t;
    }

    public static TaskModel forTask(String modelUri, String modelKey, int internalBatchSize) {
        return forTask(modelUri, modelKey, null, internalBatchSize);
    }

    /** The model of this key at this URI, loaded again if the cached one has weights other than {@code weightsSha256} (null: any). */
    static TaskModel forTask(String modelUri, String modelKey, String weightsSha256, int internalBatchSize) {
        configureThreads();
        // task threads start with autograd recording on; forward-only work must not build graphs
        GradMode.offForThisThread();
        Device device = device(TaskContext.get());
        Path dir = ModelFiles.localize(
                modelUri, SparkHadoopUtil.get().newConfiguration(SparkEnv.get().conf()));
        Classifier model =
                ModelCache.get(modelKey, dir, device, weightsSha256).withInternalBatchSize(internalBatchSize);
        NDManager scope = model.manager().newSubManager();
        TaskContext ctx = TaskContext.get();
        if (ctx != null) {
            ctx.addTaskCompletionListener((TaskCompletionListener) c -> scope.close());
        }
        return new TaskModel(model, scope);
    }

    /** The GPU Spark's resource scheduling gave this task, if any; else the CPU. */
    static Device device(TaskContext ctx) {
        if (ctx != null) {
            ResourceInformation gpu = ctx.resources().get("gpu").getOrElse(() -> null);
            if (gpu != null && gpu.addresses().length > 0) {
                return Device.gpu(Integer.parseInt(gpu.addresses()[0]));
            }
        }
        return Engine.getEngine("PyTorch").getGpuCount() > 0 ? Device.gpu(0) : Device.cpu();
    }

    /** libtorch intra-op threads = spark.task.cpus, unless set explicitly with -Dai.djl.pytorch.num_threads. */
    static void configureThreads() {
        if (!THREADS_SET.compareAndSet(false, true)) {
            return;
        }
        Engine.getEngine("PyTorch");
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            int cpus = SparkEnv.get() == null ? 1 : SparkEnv.get().conf().getInt("spark.task.cpus", 1);
            JniUtils.setNumThreads(cpus);
            LOG.info("libtorch intra-op threads set to spark.task.cpus = {}", cpus);
        }
    }
}
