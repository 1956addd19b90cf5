package io.xaiscale.jobs.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xaiscale.image.Box;
import io.xaiscale.model.ModelCard;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * A manifest of labels, boxes and splits, read on the driver (CSV with a header, RFC 4180 quoting, or
 * JSON Lines): one {@link Entry} per file path, and a {@link Reject} for every row that applies to no
 * file. A bad value never fails the ingest: it is the error of its file's image row. Rows for the same
 * path are settled by one rule: identical rows count once (the later ones are rejected as
 * {@code duplicate_row}); rows that disagree make the image an error row naming every line, since
 * no rule can know which one is right.
 */
final class Manifest {
    static final List<String> COLUMNS = List.of("path", "label", "label_name", "x0", "y0", "x1", "y1", "split");
    /** JSON Lines only: every object of the image, {@code [{"x0":..,"y0":..,"x1":..,"y1":..,"label":..}]}. */
    static final String BOXES = "boxes";
    /** Layouts only (not a manifest column): the image's label map, see {@link Layout#voc}. */
    static final String SEGMENTATION = "segmentation";
    /** Layouts only: COCO segmentations (polygons, RLE) with class names, rasterised where the image is read. */
    static final String SHAPES = "shapes";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The values of one path, from its first row; {@code error} says what was wrong with them (the
     * line named), and then no value of that row is used.
     */
    record Entry(
            String path,
            int line,
            Integer label,
            String labelName,
            List<LabeledBox> boxes,
            byte[] segmentation,
            String shapes,
            String split,
            String error)
            implements Serializable {
        boolean sameValues(Entry o) {
            return Objects.equals(label, o.label)
                    && Objects.equals(labelName, o.labelName)
                    && Objects.equals(boxes, o.boxes)
                    && Objects.equals(split, o.split)
                    && Objects.equals(error == null, o.error == null);
        }

        String describe() {
            List<String> v = new ArrayList<>();
            if (label != null || labelName != null) {
                v.add("label " + (label == null ? "?" : label) + (labelName == null ? "" : " '" + labelName + "'"));
            }
            if (!boxes.isEmpty()) {
                v.add((boxes.size() == 1 ? "box " : "boxes ")
                        + String.join(
                                "; ", boxes.stream().map(LabeledBox::describe).toList()));
            }
            if (split != null) {
                v.add("split " + split);
            }
            if (error != null) {
                v.add("invalid values");
            }
            return "line " + line + (v.isEmpty() ? "" : " (" + String.join(", ", v) + ")");
        }
    }

    final String uri;
    /** Entries by path relative to the source, in manifest order. */
    final Map<String, Entry> entries = new LinkedHashMap<>();

    final List<Reject> rejects = new ArrayList<>();
    /** Manifest rows by outcome: entry, duplicate_row, conflicting_row, unreadable_row, no_path, outside_source. */
    final Map<String, Long> rows = new TreeMap<>();

    private final SourcePaths paths;
    private final List<String> classes;
    private final Map<String, List<Entry>> conflicts = new LinkedHashMap<>();

    /** How a row is named in messages: "manifest line 5", "annotation Annotations/x.xml", "COCO image 42". */
    private final IntFunction<String> origin;

    private Manifest(String uri, SourcePaths paths, List<String> classes, IntFunction<String> origin) {
        this.uri = uri;
        this.paths = paths;
        this.classes = classes;
        this.origin = origin;
    }

    /**
     * An empty manifest that an annotation layout fills row by row ({@link #addRow}), each row named
     * in messages by {@code origin} (of its 1-based number), with the same checks as a manifest file.
     */
    static Manifest of(String uri, SourcePaths paths, List<String> classes, IntFunction<String> origin) {
        return new Manifest(uri, paths, classes, origin);
    }

    /** A row that could not be read at all (its origin and why). */
    void unreadable(int n, String why) {
        reject(n, null, "unreadable_row", why);
    }

    /** Settles rows of one path that disagree; call once all rows are added. */
    Manifest done() {
        settleConflicts();
        return this;
    }

    static boolean isJsonLines(String uri) {
        String u = uri.toLowerCase(Locale.ROOT);
        return u.endsWith(".jsonl") || u.endsWith(".json") || u.endsWith(".ndjson");
    }

    /**
     * Reads a manifest. {@code classes} (null when no model card is given) makes a label outside the
     * model's classes, or a label name that is not the class of its label, an error of the row. Fails
     * only when the manifest as a whole is unusable: a CSV header with an unknown column or no
     * {@code path} column.
     */
    static Manifest read(String uri, Reader text, SourcePaths paths, List<String> classes) throws IOException {
        Manifest m = new Manifest(uri, paths, classes, n -> "manifest line " + n);
        BufferedReader in = new BufferedReader(text);
        if (isJsonLines(uri)) {
            m.readJsonLines(in);
        } else {
            m.readCsv(in);
        }
        return m.done();
    }

    private void readCsv(BufferedReader in) throws IOException {
        Csv csv = new Csv(in);
        Csv.Record header = csv.next();
        if (header == null) {
            return; // an empty manifest
        }
        List<String> names = header.fields().stream()
                .map(s -> s.strip().toLowerCase(Locale.ROOT))
                .toList();
        for (String c : names) {
            if (!COLUMNS.contains(c)) {
                throw new IllegalArgumentException("Unknown manifest column '" + c + "' in " + uri + " (valid: "
                        + String.join(", ", COLUMNS) + ")");
            }
        }
        if (!names.contains("path")) {
            throw new IllegalArgumentException(
                    "Manifest " + uri + " has no 'path' column (paths relative to the source)");
        }
        for (Csv.Record r = csv.next(); r != null; r = csv.next()) {
            if (r.problem() != null) {
                reject(r.line(), null, "unreadable_row", r.problem());
            } else if (r.fields().size() != names.size()) {
                reject(
                        r.line(),
                        null,
                        "unreadable_row",
                        r.fields().size() + " fields where the header has " + names.size());
            } else {
                Map<String, String> values = new LinkedHashMap<>();
                for (int i = 0; i < names.size(); i++) {
                    String v = r.fields().get(i).strip();
                    values.put(names.get(i), v.isEmpty() ? null : v);
                }
                addRow(r.line(), values);
            }
        }
    }

    private void readJsonLines(BufferedReader in) throws IOException {
        int line = 0;
        for (String text = in.readLine(); text != null; text = in.readLine()) {
            line++;
            if (line == 1 && text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
            if (text.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                reject(line, null, "unreadable_row", "not JSON: " + e.getOriginalMessage());
                continue;
            }
            if (node == null || !node.isObject()) {
                reject(line, null, "unreadable_row", "not a JSON object");
                continue;
            }
            Map<String, String> values = new LinkedHashMap<>();
            String unknown = null;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String key = f.getKey().strip().toLowerCase(Locale.ROOT);
                if (!COLUMNS.contains(key) && !BOXES.equals(key)) { // segmentation: layouts only
                    unknown = f.getKey();
                    break;
                }
                JsonNode v = f.getValue();
                values.put(key, v.isNull() ? null : v.isTextual() ? v.asText().strip() : v.toString());
            }
            if (unknown != null) {
                reject(
                        line,
                        null,
                        "unreadable_row",
                        "unknown field '" + unknown + "' (valid: " + String.join(", ", COLUMNS) + ")");
            } else {
                addRow(line, values);
            }
        }
    }

    private void reject(int line, String path, String reason, String detail) {
        rejects.add(Reject.manifestRow(uri, line, path, reason, detail));
        rows.merge(reason, 1L, Long::sum);
    }

    /**
     * One readable row, numbered {@code line} (the manifest's columns, {@code boxes} as JSON; layouts
     * add theirs this way too): its path normalised, its values checked, its duplicates settled.
     */
    void addRow(int line, Map<String, String> v) {
        String raw = v.get("path");
        if (raw == null) {
            reject(line, null, "no_path", "the row has no path");
            return;
        }
        SourcePaths.Normalised p = paths.normalise(raw);
        if (p.problem() != null) {
            reject(line, raw, "outside_source", "path '" + raw + "' " + p.problem());
            return;
        }
        Entry e = entry(p.relative(), line, v);
        Entry first = entries.get(e.path());
        if (first == null) {
            entries.put(e.path(), e);
            rows.merge("entry", 1L, Long::sum);
        } else if (first.sameValues(e) && first.error() == null && !conflicts.containsKey(e.path())) {
            reject(line, e.path(), "duplicate_row", "same values as line " + first.line());
        } else {
            conflicts
                    .computeIfAbsent(e.path(), k -> new ArrayList<>(List.of(first)))
                    .add(e);
            rows.merge("conflicting_row", 1L, Long::sum);
        }
    }

    /** Rows of one path that disagree: the path's entry becomes an error naming every line. */
    private void settleConflicts() {
        for (Map.Entry<String, List<Entry>> c : conflicts.entrySet()) {
            List<Entry> all = c.getValue();
            List<String> lines = all.stream().map(Entry::describe).toList();
            String error = "manifest rows for " + c.getKey() + " disagree: " + String.join(" vs ", lines)
                    + " (fix the manifest, then ingest with --retry-errors)";
            Entry first = all.get(0);
            entries.put(
                    c.getKey(),
                    new Entry(first.path(), first.line(), null, null, List.of(), null, null, first.split(), error));
        }
    }

    private Entry entry(String path, int line, Map<String, String> v) {
        List<String> problems = new ArrayList<>();
        String labelName = v.get("label_name");
        Integer label = label(integer(v, "label", problems), labelName, "", problems);
        List<LabeledBox> boxes = new ArrayList<>();
        List<String> corners = List.of("x0", "y0", "x1", "y1");
        List<String> given = corners.stream().filter(k -> v.get(k) != null).toList();
        if (!given.isEmpty()) {
            Integer[] c = new Integer[4];
            for (int i = 0; i < 4; i++) {
                c[i] = integer(v, corners.get(i), problems);
            }
            if (given.size() < 4) {
                problems.add("a box needs all of x0, y0, x1, y1 (given: " + String.join(", ", given) + ")");
            } else if (c[0] != null && c[1] != null && c[2] != null && c[3] != null) {
                try {
                    boxes.add(new LabeledBox(new Box(c[0], c[1], c[2], c[3]), label, labelName, null));
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                }
            }
        }
        if (v.get(BOXES) != null) {
            boxes.addAll(boxes(v.get(BOXES), problems));
            // an image whose objects are all of one class has that class as its label
            List<Integer> classesOfBoxes =
                    boxes.stream().map(LabeledBox::label).distinct().toList();
            if (label == null && labelName == null && classesOfBoxes.size() == 1 && classesOfBoxes.get(0) != null) {
                label = classesOfBoxes.get(0);
                labelName = boxes.get(0).labelName();
            }
        }
        String split = v.get("split");
        if (!problems.isEmpty()) {
            return new Entry(
                    path,
                    line,
                    null,
                    null,
                    List.of(),
                    null,
                    null,
                    split,
                    origin.apply(line) + ": " + String.join("; ", problems));
        }
        // a layout's segmentation: a PNG label map already in the model's class indices, base64
        byte[] segmentation =
                v.get(SEGMENTATION) == null ? null : Base64.getDecoder().decode(v.get(SEGMENTATION));
        return new Entry(
                path, line, label, labelName, List.copyOf(boxes), segmentation, shapes(v.get(SHAPES)), split, null);
    }

    /** COCO shapes with their class names resolved to the model's indices; shapes of unknown classes dropped (their box is the error). */
    private String shapes(String json) {
        if (json == null) {
            return null;
        }
        try {
            ArrayNode out = JSON.createArrayNode();
            for (JsonNode s : JSON.readTree(json)) {
                Integer k = label(null, s.path("label_name").asText(), "", new ArrayList<>());
                if (k != null) {
                    ObjectNode o = ((ObjectNode) s).deepCopy();
                    o.remove("label_name");
                    o.put("label", k);
                    out.add(o);
                }
            }
            return out.isEmpty() ? null : out.toString();
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /**
     * A label checked against the model's classes (when known) and resolved from its name when only
     * the name is given; each problem is added, prefixed by {@code where}.
     */
    private Integer label(Integer label, String labelName, String where, List<String> problems) {
        return checkedLabel(label, labelName, classes, where, problems);
    }

    /** {@link #label} for any source of labels (a table's label column): {@code classes} null when no model is given. */
    static Integer checkedLabel(
            Integer label, String labelName, List<String> classes, String where, List<String> problems) {
        if (label != null && label < 0) {
            problems.add(where + "label " + label + " is negative");
        } else if (label != null && classes != null && label >= classes.size()) {
            problems.add(where + "label " + label + " is not a class of the model (0.." + (classes.size() - 1) + ")");
        } else if (labelName != null && classes != null) {
            int named = ModelCard.classIndex(classes, labelName);
            if (label == null && named < 0) {
                problems.add(where + "label_name '" + labelName + "' is not a class of the model (classes: "
                        + String.join(", ", classes) + ")");
            } else if (label == null) {
                return named;
            } else if (named != label) {
                problems.add(where + "label " + label + " is '" + classes.get(label) + "' in the model card, not '"
                        + labelName + "'");
            }
        }
        return label;
    }

    /** The {@code boxes} of a JSON Lines row: an array of objects with x0, y0, x1, y1 and optionally a class. */
    private List<LabeledBox> boxes(String json, List<String> problems) {
        List<LabeledBox> out = new ArrayList<>();
        JsonNode array;
        try {
            array = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            problems.add("boxes: not JSON");
            return out;
        }
        if (!array.isArray()) {
            problems.add("boxes: not an array of boxes");
            return out;
        }
        for (int i = 0; i < array.size(); i++) {
            JsonNode b = array.get(i);
            String where = "boxes[" + i + "]: ";
            if (!b.isObject()) {
                problems.add(where + "not an object");
                continue;
            }
            Map<String, String> f = new LinkedHashMap<>();
            b.fields()
                    .forEachRemaining(e -> f.put(
                            e.getKey(),
                            e.getValue().isNull() ? null : e.getValue().asText()));
            int before = problems.size();
            Integer[] c = new Integer[4];
            List<String> corners = List.of("x0", "y0", "x1", "y1");
            for (int k = 0; k < 4; k++) {
                if (f.get(corners.get(k)) == null) {
                    problems.add(where + "missing " + corners.get(k));
                } else {
                    c[k] = integer(f, corners.get(k), problems);
                }
            }
            Integer label = label(integer(f, "label", problems), f.get("label_name"), where, problems);
            if (problems.size() > before) {
                continue;
            }
            try {
                Boolean difficult = f.get("difficult") == null ? null : Boolean.valueOf(f.get("difficult"));
                out.add(new LabeledBox(new Box(c[0], c[1], c[2], c[3]), label, f.get("label_name"), difficult));
            } catch (IllegalArgumentException e) {
                problems.add(where + e.getMessage());
            }
        }
        return out;
    }

    private static Integer integer(Map<String, String> v, String key, List<String> problems) {
        String s = v.get(key);
        if (s == null) {
            return null;
        }
        try {
            return Integer.valueOf(s.strip());
        } catch (NumberFormatException e) {
            problems.add(key + " '" + s + "' is not an integer");
            return null;
        }
    }
}
