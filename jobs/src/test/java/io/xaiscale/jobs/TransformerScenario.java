package io.xaiscale.jobs;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.Fixture.Warehouse;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.report.Report;
import io.xaiscale.jobs.session.SqlRunner;
import io.xaiscale.jobs.stage.StageRunner;
import io.xaiscale.model.ModelCard;
import io.xaiscale.util.FileNames;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/**
 * A Vision Transformer beside the CNN (issue 33): the shipped small ViT explains the fixture's images with
 * the attention methods and a gradient and a perturbation method, its maps stored at the patch grid where
 * a method has one; the same metrics score them, and the leaderboard ranks the methods of both models
 * side by side. A layer-walking method is refused at start on the ViT, naming the methods that run.
 */
class TransformerScenario extends Scenario {
    static final String VIT = ROOT.resolve("models/fmnist-loc-vit").toString();
    static final String VIT_METHODS =
            "attention_rollout,generic_attention,legrad,grad_cam,gradient,occlusion[window=16,stride=16]";

    static Options parse(Options options, String... args) {
        return options.parse(args);
    }

    @Test
    void aViTIsExplainedWithTheAttentionMethodsAndRankedBesideTheCnn() throws Exception {
        Warehouse w = fixture.copy("vit");
        String wh = w.path();
        String[] common = {"--warehouse", wh, "--model", VIT};
        StageRunner.runInOrder(
                spark,
                List.of(ExplainCommand.stage(parse(
                        new ExplainCommand().options(),
                        Stream.concat(
                                        Stream.of(common),
                                        Stream.of("--methods", VIT_METHODS, "--map-resolution", "native"))
                                .toArray(String[]::new)))));
        List<String> metrics = new ArrayList<>(List.of(common));
        metrics.addAll(List.of("--metrics", METRICS + ",model_randomization[depth=1]", "--agreement", "false"));
        StageRunner.runInOrder(
                spark, EvaluateCommand.stages(parse(new EvaluateCommand().options(), metrics.toArray(String[]::new))));

        Dataset<Row> expl = w.read(Tables.EXPLANATIONS).where(col("model_id").equalTo("fmnist-loc-vit"));
        long images = w.read(Tables.IMAGES).count();
        assertEquals(images * 6, expl.count(), "every image once per method");
        long errors = expl.where(col("error").isNotNull()).count();
        assertEquals(
                6,
                errors,
                "the truncated file, once per method: "
                        + expl.where(col("error").isNotNull()).select("error").collectAsList());
        // the attention methods' and Grad-CAM's maps are stored at the 8 x 8 patch grid, the others' at the input
        List<Row> sizes = expl.where(col("error").isNull())
                .select(col("method"), col("map_height"), col("map_width"))
                .distinct()
                .collectAsList();
        for (Row r : sizes) {
            int side = Set.of("gradient", "occlusion").contains(r.getString(0)) ? 64 : 8;
            assertEquals(side, r.getInt(1), r.toString());
            assertEquals(side, r.getInt(2), r.toString());
        }
        Dataset<Row> m = w.read(Tables.METRICS).where(col("model_id").equalTo("fmnist-loc-vit"));
        assertEquals(
                0,
                m.where(col("error").isNotNull().and(functions.not(col("error").like("not applicable%"))))
                        .count(),
                "no metric failed: "
                        + m.where(col("error").isNotNull())
                                .select("error")
                                .limit(3)
                                .collectAsList());
        assertTrue(
                m.where(col("metric").equalTo("model_randomization_spearman")).count() > 0);

        // side by side: the leaderboard ranks the methods of each model on the same metrics
        SqlRunner.registerViews(spark, wh);
        List<Row> board = SqlRunner.run(spark, ROOT.resolve("notebooks-sql/leaderboard.sql"))
                .collectAsList();
        Set<String> models =
                board.stream().map(r -> r.<String>getAs("model_id")).collect(Collectors.toSet());
        assertEquals(Set.of("fmnist-loc-cnn", "fmnist-loc-vit"), models);
        assertTrue(
                board.stream()
                        .anyMatch(r -> r.<String>getAs("model_id").equals("fmnist-loc-vit")
                                && r.<String>getAs("method_spec").startsWith("attention_rollout")
                                && r.<String>getAs("metric").equals("iou")),
                "attention rollout ranked on iou");

        // the methods both models ran, ranked under each: gradient, Grad-CAM (on the CNN's feature maps and the
        // ViT's patch tokens) and occlusion on every metric
        List<Row> pairs = SqlRunner.run(spark, ROOT.resolve("notebooks-sql/models_side_by_side.sql"))
                .collectAsList();
        assertEquals(
                Set.of("gradient", "grad_cam[layer=auto]", "occlusion[fill=0.0,stride=16,window=16]"),
                pairs.stream().map(r -> r.<String>getAs("method_spec")).collect(Collectors.toSet()));
        assertTrue(pairs.stream()
                .allMatch(r -> r.<String>getAs("model_a").equals("fmnist-loc-cnn")
                        && r.<String>getAs("model_b").equals("fmnist-loc-vit")));
        // ... and so does the report's models page, with both models' maps of the same images (attention maps too)
        Path out = fixture.dir("transformer-report").resolve("report");
        Report.write(
                spark,
                new Report.Settings(
                        wh,
                        out,
                        List.of(ModelCard.read(ROOT.resolve("models/fmnist-loc-cnn")), ModelCard.read(Path.of(VIT))),
                        1));
        String page = Files.readString(out.resolve("models.html"));
        assertTrue(page.contains("fmnist-loc-cnn@1 and fmnist-loc-vit@1"), "a section for the pair");
        assertTrue(page.contains("Rank shift from fmnist-loc-cnn@1 to fmnist-loc-vit@1"), "its chart");
        for (String model : List.of("fmnist-loc-cnn@1", "fmnist-loc-vit@1")) {
            Matcher img = Pattern.compile("<img src=\"(img/" + Pattern.quote(FileNames.safe(model)) + "/[^\"]+)\"")
                    .matcher(page);
            assertTrue(img.find(), "a gallery of " + model);
            BufferedImage grid = ImageIO.read(out.resolve(img.group(1)).toFile());
            assertTrue(grid.getWidth() > grid.getHeight(), model + ": the image and its maps in a row");
        }

        // an audit of both models: each method runs on the models it applies to (rollout on the ViT alone)
        String both = w.auditYaml("side-by-side", "  - {gate: error_rate, max: 0.5}\n")
                .replace("models: [" + Fixture.MODEL + "]", "models: [" + Fixture.MODEL + ", " + VIT + "]")
                .replace("methods: [gradient]", "methods: [gradient, attention_rollout]");
        assertEquals(0, w.audit(both, "side-by-side-1"));
        Dataset<Row> rollout = w.read(Tables.EXPLANATIONS).where(col("method").equalTo("attention_rollout"));
        assertEquals(Set.of("fmnist-loc-vit"), modelsOf(rollout));
        assertEquals(
                Set.of("fmnist-loc-cnn", "fmnist-loc-vit"),
                modelsOf(w.read(Tables.EXPLANATIONS).where(col("method").equalTo("gradient"))));
        // ... and a method that runs on none of the audit's models fails at start, naming why
        IllegalArgumentException none = assertThrows(
                IllegalArgumentException.class,
                () -> AuditCommand.prepare(io.xaiscale.jobs.audit.AuditConfig.parse(
                        w.auditYaml("cnn-only", "").replace("methods: [gradient]", "methods: [attention_rollout]"),
                        "test.yaml")));
        assertTrue(
                none.getMessage()
                        .contains("none of the audit's methods runs on it: attention_rollout reads a Vision"
                                + " Transformer's attention"),
                none.getMessage());

        // a method that walks convolutional layers is refused before any work, naming the methods that run
        IllegalArgumentException refused = assertThrows(
                IllegalArgumentException.class,
                () -> ExplainCommand.stage(parse(
                        new ExplainCommand().options(),
                        "--warehouse",
                        wh,
                        "--model",
                        VIT,
                        "--methods",
                        "guided_backprop")));
        assertTrue(
                refused.getMessage()
                        .startsWith(
                                "guided_backprop needs a convolutional network's layers or feature maps, but"
                                        + " fmnist-loc-vit@1 is a Vision Transformer (architecture vit); the methods that run on it:"),
                refused.getMessage());
    }

    static Set<String> modelsOf(Dataset<Row> rows) {
        return rows.select("model_id").distinct().collectAsList().stream()
                .map(r -> r.getString(0))
                .collect(Collectors.toSet());
    }
}
