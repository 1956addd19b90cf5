package io.xaiscale.explain.propagation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import java.util.List;

/**
 * The one engine behind every modified-backpropagation method (guided backprop, DeconvNet, LRP,
 * DeepLIFT): a forward walk that keeps each layer's input, then a backward walk that applies each
 * layer's {@link Rule}, from the output signal down to the pixels. Every intermediate array lives in
 * a scope closed when the batch ends; only the result is kept.
 */
public final class Propagation {
    private Propagation() {}

    /** How the signal starts at the logits. */
    public enum Start {
        /** One-hot of the target class: gradients and DeepLIFT multipliers. */
        ONE_HOT,
        /** The target logit itself on the target class: LRP relevance. */
        TARGET_LOGIT
    }

    /** The signal at the pixels {@code [N, C, H, W]}, the logits {@code [N, K]} and the targets used. */
    public record Result(NDArray signal, NDArray logits, int[] targets) {}

    /**
     * Runs {@code rules} on a batch. {@code targets} null means each sample's predicted class (taken
     * from this very forward pass); {@code reference} (pixel space, the inputs' shape, or one sample
     * shared by the batch) is walked too when the rules need it (DeepLIFT), else null.
     */
    public static Result run(
            Classifier model, NDArray inputs, int[] targets, NDArray reference, RuleSet rules, Start start) {
        Walk walk = Walk.of(model);
        NDManager owner = inputs.getManager();
        try (NDManager tmp = owner.newSubManager()) {
            NDArray x = inputs.duplicate();
            x.attach(tmp);
            NDArray out;
            NDArray logits;
            int[] t;
            try (Autograd.Tape tape = Autograd.Tape.open()) {
                // the forward keeps each layer's graph: the backward walk's chain-rule products reuse it
                Walk.Record rec = walk.forward(x, tape);
                Walk.Record ref = null;
                if (reference != null) {
                    NDArray r = reference.duplicate();
                    r.attach(tmp);
                    ref = walk.forward(r, tape);
                }
                logits = rec.output();
                t = targets != null ? targets : Autograd.argMax(logits);
                try (GradMode off = GradMode.off()) {
                    NDArray signal = Autograd.oneHot(logits, t);
                    if (start == Start.TARGET_LOGIT) {
                        signal = signal.mul(logits);
                    }
                    out = backward(walk, walk, rec, ref, signal, rules);
                }
            }
            out.attach(owner);
            logits.attach(owner);
            return new Result(out, logits, t);
        }
    }

    /**
     * The backward walk; exposed for tests that check a rule set layer by layer. Each layer's step
     * runs in a scope of its own that frees the arrays the step made and the signal the step before
     * made: only the signal it passes on lives longer (the walk's own starting signal is the
     * caller's). A ResNet-18 at 224x224 makes about ten temporaries of up to 25 MB per layer (batch
     * 8); kept to the end of the batch they were gigabytes of fresh native memory per batch, paid
     * again in page faults by the next one.
     */
    static NDArray backward(Walk walk, Walk top, Walk.Record rec, Walk.Record ref, NDArray signal, RuleSet rules) {
        NDArray given = signal;
        for (int i = walk.layers().size() - 1; i >= 0; i--) {
            try (NDScope scope = new NDScope()) {
                if (signal != given) {
                    NDScope.register(signal);
                }
                signal = backwardStep(walk, top, i, rec, ref, signal, rules);
                NDScope.unregister(signal);
            }
        }
        return signal;
    }

    private static NDArray backwardStep(
            Walk walk, Walk top, int i, Walk.Record rec, Walk.Record ref, NDArray signal, RuleSet rules) {
        if (walk.layers().get(i) instanceof ResidualLayer res) {
            List<Walk.Record> recs = rec.branches().get(i);
            List<Walk.Record> refs = ref == null ? null : ref.branches().get(i);
            List<NDArray> parts =
                    rules.split(recs.stream().map(Walk.Record::output).toList(), rec.output(i), signal);
            NDArray sum = null;
            for (int b = 0; b < res.branches().size(); b++) {
                NDArray s = backward(
                        res.branches().get(b),
                        top,
                        recs.get(b),
                        refs == null ? null : refs.get(b),
                        parts.get(b),
                        rules);
                if (s != parts.get(b)) {
                    NDScope.register(s); // a branch's own signal is this step's to free once summed
                }
                sum = sum == null ? s : sum.add(s);
            }
            return sum;
        }
        Step step = new Step(walk, i, rec, ref, top);
        return rules.ruleFor(step).backward(step, signal);
    }
}
