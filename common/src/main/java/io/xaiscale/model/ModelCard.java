package io.xaiscale.model;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.xaiscale.image.Geometry;
import io.xaiscale.util.Hashing;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
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
        @JsonProperty("layers") List<Map<String, Object>> layers,
        @JsonProperty("vit") Vit.Config vit,
        @JsonProperty("script_methods") Map<String, String> scriptMethods,
        @JsonProperty("weights") String weights,
        @JsonProperty("weights_sha256") String weightsSha256,
        @JsonProperty("input") Input input,
        @JsonProperty("preprocessing") Preprocessing preprocessing,
        @JsonProperty("classes") List<String> classes,
        @JsonProperty("cam_layer") String camLayer,
        @JsonProperty("training") Map<String, Object> training,
        @JsonProperty("evaluation") Map<String, Object> evaluation) {

    public static final String FILE_NAME = "model.json";
    public static final String DJL = "djl";
    public static final String STATE_DICT = "state_dict";
    public static final String TORCHSCRIPT = "torchscript";
    public static final List<String> FORMATS = List.of(DJL, STATE_DICT, TORCHSCRIPT);

    /** A card of one of the named architectures (no {@code layers}). */
    public ModelCard(
            String id,
            String version,
            String format,
            String architecture,
            String weights,
            String weightsSha256,
            Input input,
            Preprocessing preprocessing,
            List<String> classes,
            String camLayer,
            Map<String, Object> training,
            Map<String, Object> evaluation) {
        this(
                id,
                version,
                format,
                architecture,
                null,
                null,
                null,
                weights,
                weightsSha256,
                input,
                preprocessing,
                classes,
                camLayer,
                training,
                evaluation);
    }

    /** Input tensor the model expects: {@code [N, channels, height, width]}. */
    public record Input(
            @JsonProperty("channels") int channels,
            @JsonProperty("height") int height,
            @JsonProperty("width") int width) {
        /** The shape of a batch of {@code n} such inputs. */
        public Shape shape(long n) {
            return new Shape(n, channels, height, width);
        }
    }

    /**
     * Pixels are read as {@code value/255} in [0, 1] (the space explanations live in); the model then
     * sees {@code (x - mean[c]) / std[c]}. Images of another size go through the {@link Geometry} of
     * {@code geometry} ({@code stretch}, {@code resize_center_crop} with {@code resize_to},
     * {@code letterbox} with {@code pad_value}), interpolated with {@code resize} ({@code bilinear},
     * {@code bicubic}, {@code nearest}: Pillow's), antialiased unless {@code antialias} is false;
     * photos are turned upright by their EXIF orientation first unless {@code exif_orientation} is
     * {@code ignore} (for models trained on a plain {@code PIL.Image.open}, which does not turn them).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Preprocessing(
            @JsonProperty("resize") String resize,
            @JsonProperty("mean") float[] mean,
            @JsonProperty("std") float[] std,
            @JsonProperty("channel_order") String channelOrder,
            @JsonProperty("geometry") String geometry,
            @JsonProperty("resize_to") Integer resizeTo,
            @JsonProperty("antialias") Boolean antialias,
            @JsonProperty("pad_value") Integer padValue,
            @JsonProperty("exif_orientation") String exifOrientation) {
        public static final List<String> CHANNEL_ORDERS = List.of("rgb", "bgr");

        /** RGB input (the default), stretched to the input size. */
        public Preprocessing(String resize, float[] mean, float[] std) {
            this(resize, mean, std, null);
        }

        /** Stretched to the input size. */
        public Preprocessing(String resize, float[] mean, float[] std, String channelOrder) {
            this(resize, mean, std, channelOrder, null, null, null, null, null);
        }

        /** The geometry these fields name; {@code problems} receives each invalid field. */
        Geometry geometry(List<String> problems) {
            return Geometry.of(geometry, resize, antialias, resizeTo, padValue, exifOrientation, problems);
        }

        /** Whether the model takes colour channels as B, G, R (images are decoded as R, G, B and flipped before the model). */
        public boolean bgr() {
            return "bgr".equals(channelOrder);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Reads and validates {@code dir/model.json}. */
    public static ModelCard read(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new FileNotFoundException("Model card not found: " + file
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

    /** Whether {@code file} names a file inside the card's directory (relative, never climbing out of it). */
    static boolean insideItsDirectory(String file) {
        Path p;
        try {
            p = Path.of(file);
        } catch (InvalidPathException e) {
            return false;
        }
        Path n = p.normalize();
        return !p.isAbsolute()
                && !file.contains("\\")
                && !n.startsWith("..")
                && !n.toString().isEmpty();
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
        if (TORCHSCRIPT.equals(format)) {
            if (scriptMethods != null
                    && !scriptMethods.keySet().stream().allMatch(List.of("features", "head")::contains)) {
                p.add("invalid field 'script_methods': " + scriptMethods.keySet() + " (valid keys: features, head)");
            }
        } else if (scriptMethods != null) {
            p.add("unexpected field 'script_methods': only format 'torchscript' takes it");
        }
        if (TORCHSCRIPT.equals(format)) {
            if (architecture != null && !TORCHSCRIPT.equals(architecture)) {
                p.add("invalid field 'architecture': " + architecture
                        + " (a TorchScript module carries its own: leave it out or write torchscript)");
            }
        } else if (architecture == null || !Architectures.NAMES.contains(architecture)) {
            p.add("invalid field 'architecture': " + architecture + " (valid: " + String.join(", ", Architectures.NAMES)
                    + ")");
        }
        if (Architectures.CUSTOM.equals(architecture)) {
            p.addAll(CustomCnn.problems(layers, classes == null ? 0 : classes.size()));
        } else if (layers != null) {
            p.add("unexpected field 'layers': only architecture 'custom' takes a layer list");
        }
        if (Vit.VIT.equals(architecture)) {
            if (vit == null) {
                p.add("missing field 'vit' (architecture 'vit' takes patch_size, num_layers, num_heads, hidden_dim,"
                        + " mlp_dim; or name a preset: "
                        + String.join(
                                ", ", Vit.PRESETS.keySet().stream().sorted().toList()) + ")");
            } else if (input != null) {
                p.addAll(vit.problems(input.height(), input.width()));
            }
        } else if (vit != null) {
            p.add("unexpected field 'vit': only architecture 'vit' takes it");
        }
        if (weights == null || weights.isBlank()) {
            p.add("missing field 'weights'");
        } else if (!insideItsDirectory(weights)) {
            p.add("invalid field 'weights': " + weights
                    + " (a file name inside the model's directory: no absolute path, no '..')");
        } else if (STATE_DICT.equals(format) && !(weights.endsWith(".npz") || weights.endsWith(".safetensors"))) {
            p.add("invalid field 'weights': " + weights + " (a state_dict is read from .npz or .safetensors)");
        } else if (TORCHSCRIPT.equals(format) && !weights.endsWith(".pt")) {
            p.add("invalid field 'weights': " + weights + " (a TorchScript module is a .pt file)");
        } else if (DJL.equals(format) && Architectures.CUSTOM.equals(architecture)) {
            p.add("invalid field 'format': djl (architecture 'custom' imports a state_dict: use format state_dict)");
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
                p.add("invalid field 'preprocessing.mean': needs one value per input channel (" + input.channels()
                        + ")");
            }
            if (preprocessing.std() == null || preprocessing.std().length != input.channels()) {
                p.add("invalid field 'preprocessing.std': needs one value per input channel (" + input.channels()
                        + ")");
            } else {
                for (float s : preprocessing.std()) {
                    if (!(s > 0)) {
                        p.add("invalid field 'preprocessing.std': " + s + " (must be > 0)");
                    }
                }
            }
        }
        if (preprocessing != null
                && preprocessing.channelOrder() != null
                && !Preprocessing.CHANNEL_ORDERS.contains(preprocessing.channelOrder())) {
            p.add("invalid field 'preprocessing.channel_order': " + preprocessing.channelOrder()
                    + " (valid: rgb, bgr)");
        }
        if (preprocessing != null) {
            preprocessing.geometry(p);
        }
        if (classes == null || classes.size() < 2) {
            p.add("invalid field 'classes': needs at least two class names");
        }
        return p;
    }

    /**
     * Fails when {@code method} needs the layer structure and this card describes an opaque TorchScript
     * module, saying what to supply instead.
     */
    public void requireLayers(String method) {
        if (TORCHSCRIPT.equals(format)) {
            throw new IllegalArgumentException(method + " needs the model's layer structure, but " + key()
                    + " is an opaque TorchScript module: supply its weights as a state_dict instead (format state_dict with a "
                    + "torchvision or custom architecture; see models/README.md)");
        }
    }

    /** Whether this card describes a Vision Transformer (architecture {@code vit} or a ViT preset). */
    @JsonIgnore
    public boolean isTransformer() {
        return Vit.VIT.equals(architecture) || Vit.PRESETS.containsKey(architecture);
    }

    /** How an image of any size becomes this model's input (validated when the card is read). */
    public Geometry geometry() {
        return preprocessing.geometry(new ArrayList<>());
    }

    /** The index of the class named {@code name} in {@code classes} (case and surrounding blanks ignored), or -1. */
    public static int classIndex(List<String> classes, String name) {
        for (int i = 0; i < classes.size(); i++) {
            if (classes.get(i).equalsIgnoreCase(name.strip())) {
                return i;
            }
        }
        return -1;
    }

    /** The name of class {@code index}, or {@code "class <index>"} outside the card's classes. */
    public String className(int index) {
        return index >= 0 && index < classes().size() ? classes().get(index) : "class " + index;
    }

    /** SHA-256 of the card's canonical JSON: recorded in every explanation row next to the weights' hash. */
    public String sha256() {
        return Hashing.sha256Hex(toJson());
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
