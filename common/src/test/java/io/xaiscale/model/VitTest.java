package io.xaiscale.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Block;
import ai.djl.nn.norm.LayerNorm;
import io.xaiscale.TestModels;
import io.xaiscale.explain.Explainers;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a Vision Transformer can be asked (issue 33 items 1-2): which methods run on it, how its card is
 * validated, how the randomisation metrics reset it. Its logits and gradients against PyTorch are
 * {@link ImportTest}'s; the contract of every method that runs on it is {@code ContractTest}'s.
 */
class VitTest {
    static Classifier vit;

    @BeforeAll
    static void build() {
        vit = TestModels.randomVit(5, 32, 4);
    }

    @AfterAll
    static void close() {
        vit.close();
    }

    @Test
    void theMethodsOfForwardAndBackwardPassesAndTheAttentionMethodsRunOnAViTAndTheRestAreNamedWhenRefused() {
        assertEquals(
                List.of(
                        "gradient",
                        "gradient_x_input",
                        "integrated_gradients",
                        "smoothgrad",
                        "grad_cam",
                        "lrp",
                        "grad_cam_plus_plus",
                        "occlusion",
                        "lime",
                        "rise",
                        "meaningful_perturbation",
                        "feature_ablation",
                        "kernel_shap",
                        "shapley_sampling",
                        "expected_gradients",
                        "gradient_shap",
                        "blur_ig",
                        "guided_ig",
                        "xrai",
                        "attention_rollout",
                        "generic_attention",
                        "legrad",
                        "attn_lrp",
                        "transformer_attribution"),
                Explainers.runningOnTransformers());
        for (String refused : List.of(
                "cam", "score_cam", "guided_backprop", "guided_grad_cam", "deeplift", "smoothgrad[base=deconvnet]")) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> Explainers.fromString(refused).check(vit.card(), vit.featureLayers()));
            assertTrue(
                    e.getMessage()
                            .contains("is a Vision Transformer (architecture vit); the methods that run on it: "
                                    + "gradient, gradient_x_input,"),
                    e.getMessage());
        }
        // a wrapper over a method that runs, runs; LRP's rules cover a transformer's layers
        Explainers.fromString("smoothgrad[base=integrated_gradients]").check(vit.card(), vit.featureLayers());
        Explainers.fromString("smoothgrad[base=lrp[composite=epsilon_plus]]").check(vit.card(), vit.featureLayers());
    }

    @Test
    void aViTCardNamesItsShapeAndAWrongOneFailsNamingTheField() {
        ModelCard card = vit.card();
        assertEquals(
                List.of("invalid field 'vit.patch_size': 7 (must divide the input's height 32 and width 32)"),
                new Vit.Config(7, 2, 4, 32, 64).problems(32, 32));
        assertEquals(
                List.of("invalid field 'vit.num_heads': 5 (must divide hidden_dim 32)"),
                new Vit.Config(8, 2, 5, 32, 64).problems(32, 32));
        assertTrue(card.isTransformer());
        assertEquals(new Vit.Config(8, 2, 4, 32, 64), card.vit());
        assertEquals(
                List.of("embedding", "encoder.layers.encoder_layer_0", "encoder.layers.encoder_layer_1", "encoder.ln"),
                vit.featureLayers());
    }

    @Test
    void theReferenceResetReinitialisesLayerNormsAndLinearsAndKeepsTheAttentionInputProjection() {
        Classifier random = Randomized.of(
                vit, Randomized.weightLayers(vit.model().getBlock()).size(), true, 1, Randomized.Reset.PYTORCH);
        List<Block> before = Randomized.parameterLayers(vit.model().getBlock());
        List<Block> after = Randomized.parameterLayers(random.model().getBlock());
        assertEquals(before.size(), after.size());
        int norms = 0;
        for (Block b : after) {
            if (b instanceof LayerNorm) {
                norms++;
                for (float v : b.getParameters().get("gamma").getArray().toFloatArray()) {
                    assertEquals(1f, v, 0f);
                }
            }
        }
        assertEquals(5, norms, "ln_1, ln_2 of two layers and encoder.ln");
        assertArrayEquals(
                firstInProjection(vit),
                firstInProjection(random),
                0f,
                "nn.MultiheadAttention's in_proj has no reset_parameters");
        assertNotEquals(
                before.get(0).getParameters().get("weight").getArray().getFloat(0, 0, 0, 0),
                after.get(0).getParameters().get("weight").getArray().getFloat(0, 0, 0, 0),
                "conv_proj re-drawn");
    }

    /** The first attention block's stacked q, k, v weights. */
    static float[] firstInProjection(Classifier c) {
        return c.model().getBlock().getParameters().stream()
                .filter(p -> p.getKey().endsWith("in_proj_weight"))
                .findFirst()
                .orElseThrow()
                .getValue()
                .getArray()
                .toFloatArray();
    }
}
