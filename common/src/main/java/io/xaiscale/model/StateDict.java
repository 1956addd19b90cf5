package io.xaiscale.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.LayerNorm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Imports a PyTorch {@code state_dict} (saved as {@code .npz} or safetensors, PyTorch parameter and
 * buffer names) into a built architecture whose modules are registered by their PyTorch path.
 * Convolution and dense layers take {@code weight} and {@code bias}; BatchNorm takes {@code weight},
 * {@code bias}, {@code running_mean}, {@code running_var} ({@code num_batches_tracked} is ignored);
 * LayerNorm {@code weight} and {@code bias}; other blocks their parameters' own names.
 * A missing key, an unexpected key or a shape mismatch fails naming the key.
 */
public final class StateDict {
    private static final Map<String, String> NORM =
            Map.of("gamma", "weight", "beta", "bias", "runningMean", "running_mean", "runningVar", "running_var");

    private StateDict() {}

    /** Reads the arrays of a state-dict file by name. */
    public static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
        WeightsHeader.check(file); // declared sizes against the file's, before anything is allocated
        NDList list;
        try (InputStream in = Files.newInputStream(file)) {
            list = NDList.decode(manager, in);
        } catch (RuntimeException e) {
            throw new IOException(
                    "Cannot read state_dict " + file + " (expected .npz or .safetensors): " + e.getMessage(), e);
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (NDArray a : list) {
            out.put(a.getName(), a);
        }
        return out;
    }

    /**
     * A state-dict entry the architecture expects: its PyTorch key, the DJL array it fills, whether it
     * belongs to a normalisation layer (BatchNorm, LayerNorm).
     */
    public record Entry(String key, NDArray target, boolean norm) {}

    /** Every entry {@code built} expects, in module order; a module at the root path ({@code ""}) names its parameters alone. */
    public static List<Entry> entries(Architectures.Built built) {
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<String, Block> m : built.modules().entrySet()) {
            boolean norm = m.getValue() instanceof BatchNorm || m.getValue() instanceof LayerNorm;
            for (var p : m.getValue().getParameters()) {
                String djl = p.getKey();
                String torch = norm ? NORM.getOrDefault(djl, djl) : djl;
                String key = m.getKey().isEmpty() ? torch : m.getKey() + "." + torch;
                out.add(new Entry(key, p.getValue().getArray(), norm));
            }
        }
        return out;
    }

    /**
     * Writes {@code src}'s values over {@code dst} (a parameter), converted to its type: written, not
     * added to, since the parameter's memory before may hold anything, NaN included.
     */
    public static void write(NDArray dst, NDArray src) {
        dst.set(src.toType(dst.getDataType(), false).toByteBuffer());
    }

    /** Copies {@code arrays} into the modules of {@code built}; {@code source} names the file in messages. */
    public static void copy(
            Map<String, NDArray> arrays, Architectures.Built built, String source, String architecture) {
        List<String> used = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Entry e : entries(built)) {
            {
                String key = e.key();
                NDArray src = arrays.get(key);
                NDArray dst = e.target();
                if (src == null) {
                    problems.add("missing key '" + key + "' (" + architecture + " needs " + dst.getShape() + ")");
                    continue;
                }
                used.add(key);
                Shape want = dst.getShape();
                if (!src.getShape().equals(want)) {
                    problems.add("shape of '" + key + "' is " + src.getShape() + " but " + architecture + " needs "
                            + want + " (check 'architecture', 'classes' and 'input.channels')");
                    continue;
                }
                write(dst, src);
            }
        }
        TreeSet<String> unexpected = new TreeSet<>(arrays.keySet());
        used.forEach(unexpected::remove);
        unexpected.removeIf(k -> k.endsWith("num_batches_tracked"));
        for (String k : unexpected) {
            problems.add("unexpected key '" + k + "' (not a parameter of " + architecture + ")");
        }
        if (!problems.isEmpty()) {
            int shown = Math.min(problems.size(), 5);
            throw new IllegalArgumentException("State dict " + source + " does not fit " + architecture + ": "
                    + String.join("; ", problems.subList(0, shown))
                    + (problems.size() > shown ? "; and " + (problems.size() - shown) + " more" : ""));
        }
    }
}
