package io.xaiscale.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which classes a job explains: the rules of {@code --target} and the targets they give. */
class TargetRuleTest {
    @Test
    void rulesGiveTheirTargetsAndTopKStartsWithThePrediction() {
        List<TargetRule> rules = TargetRule.parseList("predicted, top_k[k=3], label, predicted, labels");
        assertEquals(
                List.of(
                        TargetRule.PREDICTED,
                        new TargetRule(TargetRule.Kind.TOP_K, 3),
                        TargetRule.LABEL,
                        TargetRule.LABELS),
                rules,
                "a repeated rule counts once");
        assertEquals(List.of("predicted", "top_2", "top_3"), rules.get(1).fixedTargets());
        assertEquals(List.of(), TargetRule.LABELS.fixedTargets(), "labels' targets depend on the image");
        assertEquals("top_k[k=3]", rules.get(1).spec());
        assertEquals(7, TargetRule.classOf(TargetRule.classTarget(7)));
        assertEquals(-1, TargetRule.classOf("top_2"));
        assertEquals(1, TargetRule.rankOf("predicted"));
        assertEquals(3, TargetRule.rankOf("top_3"));
        assertEquals(0, TargetRule.rankOf("label"));
    }

    @Test
    void aWrongRuleFailsNamingTheValueAndTheChoices() {
        assertEquals(
                "Invalid target: true_class (valid: predicted, label, labels, top_k[k=3])",
                assertThrows(IllegalArgumentException.class, () -> TargetRule.parseList("predicted,true_class"))
                        .getMessage());
        assertEquals(
                "Invalid target: label[k=2] (label takes no parameters)",
                assertThrows(IllegalArgumentException.class, () -> TargetRule.parse("label[k=2]"))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> TargetRule.parse("top_k[k=0]"));
        assertThrows(IllegalArgumentException.class, () -> TargetRule.parse("top_k[n=2]"));
        assertThrows(IllegalArgumentException.class, () -> TargetRule.parseList(""));
    }

    @Test
    void rankedTargetsFollowTheLogitsWithTiesToTheLowerClass() {
        try (NDManager m = NDManager.newBaseManager()) {
            var logits = m.create(new float[] {0.1f, 2f, 1f, 2f, /* */ 3f, -1f, 0f, 5f}, new Shape(2, 4));
            assertArrayEquals(new int[] {1, 3}, Targets.ranked(logits, 1).givenOrNull());
            assertArrayEquals(new int[] {3, 0}, Targets.ranked(logits, 2).givenOrNull());
            assertArrayEquals(new int[] {2, 2}, Targets.ranked(logits, 3).givenOrNull());
            assertThrows(IllegalArgumentException.class, () -> Targets.ranked(logits, 5));
        }
    }
}
