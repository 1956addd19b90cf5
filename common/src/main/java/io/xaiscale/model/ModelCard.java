package io.xaiscale.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The model card shipped next to the weights ({@code model.json}): what the model is, what input it
 * expects and how it was made. Validated when read, with messages that name the field.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelCard(
        @JsonProperty("id") String id,
        @JsonProperty("version") String version,
        @JsonProperty("format") String format,
        @JsonProperty("architecture") String architecture,
        @JsonProperty("weights") String weights,
        @JsonProperty("weights_sha256") String weightsSha256,
        @JsonProperty("input") Input input,
        @JsonProperty("preprocessing") Preprocessing preprocessing,
        @JsonProperty("classes") List<String> classes,
        @JsonProperty("cam_layer") String camLayer,
        @JsonProperty("training") Map<String, Object> training,
        @JsonProperty("evaluation") Map<String, Object> evaluation) {

    public static final String FILE_NAME = "model.json";
    public static final List<String> FORMATS = List.of("djl");

    /** Input tensor the model expects: {@code [N, channels, height, width]}. */
    public record Input(@JsonProperty("channels") int channels,
                        @JsonProperty("height") int height,
                        @JsonProperty("width") int width) {}

    /**
     * Pixels are read as {@code value/255} in [0, 1] (the space explanations live in); the model then
     * sees {@code (x - mean[c]) / std[c]}. Images of another size are resized with {@code resize}.
     */
    public record Preprocessing(@JsonProperty("resize") String resize,
                                @JsonProperty("mean") float[] mean,
                                @JsonProperty("std") float[] std) {}

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** Reads and validates {@code dir/model.json}. */
    public static ModelCard read(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new IOException("Model card not found: " + file
                    + " (a model directory holds model.json and its weights; see models/README.md)");
        }
        ModelCard card;
        try {
            card = JSON.readValue(file.toFile(), ModelCard.class);
        } catch (IOException e) {
            throw new IOException("Invalid model card " + file + ": " + e.getMessage(), e);
        }
        List<String> problems = card.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid model card " + file + ": " + String.join("; ", problems));
        }
        return card;
    }

    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve(FILE_NAME).toFile(), this);
    }

    /** Every problem of the card, each naming its field; empty when the card is valid. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (id == null || id.isBlank()) {
            p.add("missing field 'id'");
        }
        if (version == null || version.isBlank()) {
            p.add("missing field 'version'");
        }
        if (format == null || !FORMATS.contains(format)) {
            p.add("invalid field 'format': " + format + " (valid: " + String.join(", ", FORMATS) + ")");
        }
        if (architecture == null || !Architectures.NAMES.contains(architecture)) {
            p.add("invalid field 'architecture': " + architecture + " (valid: " + String.join(", ", Architectures.NAMES) + ")");
        }
        if (weights == null || weights.isBlank()) {
            p.add("missing field 'weights'");
        }
        if (input == null) {
            p.add("missing field 'input'");
        } else {
            if (input.channels() != 1 && input.channels() != 3) {
                p.add("invalid field 'input.channels': " + input.channels() + " (valid: 1, 3)");
            }
            if (input.height() <= 0 || input.width() <= 0) {
                p.add("invalid field 'input.height/width': " + input.height() + "x" + input.width() + " (must be > 0)");
            }
        }
        if (preprocessing == null) {
            p.add("missing field 'preprocessing'");
        } else if (input != null) {
            if (preprocessing.mean() == null || preprocessing.mean().length != input.channels()) {
                p.add("invalid field 'preprocessing.mean': needs one value per input channel (" + input.channels() + ")");
            }
            if (preprocessing.std() == null || preprocessing.std().length != input.channels()) {
                p.add("invalid field 'preprocessing.std': needs one value per input channel (" + input.channels() + ")");
            } else {
                for (float s : preprocessing.std()) {
                    if (!(s > 0)) {
                        p.add("invalid field 'preprocessing.std': " + s + " (must be > 0)");
                    }
                }
            }
        }
        if (classes == null || classes.size() < 2) {
            p.add("invalid field 'classes': needs at least two class names");
        }
        return p;
    }

    /** Stable key of the model for caches and output rows. */
    public String key() {
        return id + "@" + version;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
