package io.xaiscale.model;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A TorchScript module ({@code torch.jit.trace} or {@code torch.jit.script}) as the network of a
 * {@link Classifier}. Loaded with trainable parameters (so gradients can flow to the input), frozen,
 * in eval mode, and always run with DJL's training flag on, as libtorch needs for backward through
 * scripted modules (mixing flags would switch BatchNorm to training). Methods exported with
 * {@code @torch.jit.export} and named in the card's {@code script_methods} ({@code features},
 * {@code head}) give one feature layer, {@code features}, which Grad-CAM-style methods use; the
 * module has no layer structure otherwise.
 */
final class Scripted {
    static final String FEATURES = "features";

    private final Block block;
    private final ParameterStore store;
    private final String featuresMethod;
    private final String headMethod;

    private Scripted(Block block, ParameterStore store, String featuresMethod, String headMethod) {
        this.block = block;
        this.store = store;
        this.featuresMethod = featuresMethod;
        this.headMethod = headMethod;
    }

    static Scripted load(Model model, Path file, ModelCard card) throws IOException, MalformedModelException {
        String name = file.getFileName().toString();
        String prefix = name.endsWith(".pt") ? name.substring(0, name.length() - 3) : name;
        model.load(file.getParent(), prefix, Map.of("trainParam", "true"));
        Block b = model.getBlock();
        b.freezeParameters(true);
        PtSymbolBlock symbol = (PtSymbolBlock) b;
        JniUtils.enableInferenceMode(symbol);
        Map<String, String> methods = card.scriptMethods() == null ? Map.of() : card.scriptMethods();
        List<String> available = Arrays.asList(JniUtils.getMethodNames(symbol));
        for (Map.Entry<String, String> m : methods.entrySet()) {
            if (!available.contains(m.getValue())) {
                throw new IllegalArgumentException("invalid field 'script_methods." + m.getKey() + "': " + m.getValue()
                        + " is not a method of the module (exported: " + String.join(", ", available) + ")");
            }
        }
        return new Scripted(
                b, new ParameterStore(model.getNDManager(), false), methods.get("features"), methods.get("head"));
    }

    /** {@code features} when the module exports both trunk and head, else none. */
    List<String> featureLayers() {
        return featuresMethod != null && headMethod != null ? List.of(FEATURES) : List.of();
    }

    String featuresMethod() {
        return featuresMethod;
    }

    String headMethod() {
        return headMethod;
    }

    /** Runs {@code forward} ({@code method} null) or an exported method on {@code x}. */
    NDArray call(String method, NDArray x) {
        NDList in = new NDList(x);
        if (method != null) {
            NDArray select = x.getManager().create("");
            select.setName("module_method:" + method);
            in.add(select);
        }
        return block.forward(store, in, true).singletonOrThrow();
    }
}
