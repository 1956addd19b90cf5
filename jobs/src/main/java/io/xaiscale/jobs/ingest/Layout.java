package io.xaiscale.jobs.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xaiscale.image.DecodeException;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.model.ModelCard;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Where an image's labels and boxes come from: {@code files} (a manifest or none), {@code imagefolder}
 * (torchvision's ImageFolder: {@code root/<class>/<image>}), {@code voc} (Pascal VOC:
 * {@code Annotations/*.xml} next to {@code JPEGImages/}) or {@code coco} (a COCO instances JSON given
 * as the manifest, file names relative to the source), or {@code parquet} (a table of images, read by the
 * executors: {@link TableSource}). Every file layout fills the same {@link Manifest}
 * rows, so class names are checked against the model card the same way (unknown names are errors,
 * never guessed) and every row has one outcome.
 */
public enum Layout {
    FILES,
    IMAGEFOLDER,
    VOC,
    COCO,
    /** A Parquet or Delta table with a column of image bytes (and label and split columns): {@link TableSource}. */
    PARQUET,
    /** WebDataset tar shards (key.jpg, key.cls, key.json), streamed by the executors: {@link WebDataset}. */
    WEBDATASET;

    public static final List<String> NAMES =
            Arrays.stream(values()).map(l -> l.name().toLowerCase(Locale.ROOT)).toList();

    /** Folders of a VOC tree that hold annotations, not images to ingest. */
    static final List<String> VOC_ANNOTATION_DIRS =
            List.of("Annotations/", "ImageSets/", "SegmentationClass/", "SegmentationObject/");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Pascal VOC's classes in the order of the indices of its SegmentationClass PNGs (1..20; 0 background, 255 void). */
    static final List<String> VOC_CLASSES = List.of(
            "aeroplane",
            "bicycle",
            "bird",
            "boat",
            "bottle",
            "bus",
            "car",
            "cat",
            "chair",
            "cow",
            "diningtable",
            "dog",
            "horse",
            "motorbike",
            "person",
            "pottedplant",
            "sheep",
            "sofa",
            "train",
            "tvmonitor");

    public static Layout parse(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException(
                    "Invalid --layout: " + name + " (valid: " + String.join(", ", NAMES) + ")");
        }
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** Whether a listed file is part of the layout's annotations rather than an image. */
    boolean isAnnotation(String relative) {
        return this == VOC && VOC_ANNOTATION_DIRS.stream().anyMatch(relative::startsWith);
    }

    /** An ImageFolder row of a listed image: its class is its first folder (none directly under the root). */
    static Map<String, String> imageFolderRow(String relative) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("path", relative);
        int slash = relative.indexOf('/');
        if (slash > 0) {
            v.put("label_name", relative.substring(0, slash));
        }
        return v;
    }

    /**
     * The rows of a VOC tree: one per {@code Annotations/*.xml}, for {@code JPEGImages/<filename>}.
     * VOC's boxes are 1-based and inclusive: {@code (xmin - 1, ymin - 1, xmax, ymax)} is the half-open
     * box. An annotation that cannot be parsed is an {@code unreadable_row}.
     */
    static Manifest voc(
            FileSystem fs, Path root, SourcePaths paths, List<String> classes, long maxPixels, long maxFileBytes)
            throws IOException {
        Path dir = new Path(root, "Annotations");
        if (!fs.exists(dir)) {
            throw new FileNotFoundException(
                    "No Annotations folder in " + root + " (a Pascal VOC tree has Annotations/ and JPEGImages/)");
        }
        List<FileStatus> xml = new ArrayList<>();
        for (FileStatus f : fs.listStatus(dir)) {
            if (f.isFile() && f.getPath().getName().endsWith(".xml")) {
                xml.add(f);
            }
        }
        xml.sort((a, b) -> a.getPath().getName().compareTo(b.getPath().getName()));
        List<String> names =
                xml.stream().map(f -> "Annotations/" + f.getPath().getName()).toList();
        Manifest m = Manifest.of(paths.prefix() + "Annotations", paths, classes, n -> "annotation " + names.get(n - 1));
        for (int i = 0; i < xml.size(); i++) {
            try (InputStream in = fs.open(xml.get(i).getPath())) {
                Map<String, String> row = vocRow(in);
                String stem = xml.get(i).getPath().getName().replaceFirst("\\.xml$", "");
                Path mask = new Path(root, "SegmentationClass/" + stem + ".png");
                if (fs.exists(mask)) {
                    // decoded on the driver: within the limits of the images, header first
                    long bytes = fs.getFileStatus(mask).getLen();
                    if (bytes > maxFileBytes) {
                        throw new IOException("SegmentationClass/" + stem + ".png has " + bytes
                                + " bytes, above the limit of " + maxFileBytes + " (--max-file-bytes)");
                    }
                    try (InputStream png = fs.open(mask)) {
                        row.put(
                                Manifest.SEGMENTATION,
                                Base64.getEncoder()
                                        .encodeToString(vocSegmentation(png.readAllBytes(), classes, maxPixels)));
                    }
                }
                m.addRow(i + 1, row);
            } catch (Exception e) {
                m.unreadable(i + 1, names.get(i) + ": " + e.getMessage());
            }
        }
        return m.done();
    }

    static Map<String, String> vocRow(InputStream xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        // hostile files: no DTD, no external entity
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setExpandEntityReferences(false);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(null);
        Document d = b.parse(xml);
        Element root = d.getDocumentElement();
        String file = text(root, "filename");
        if (file == null) {
            throw new IllegalArgumentException("no <filename>");
        }
        ArrayNode boxes = JSON.createArrayNode();
        NodeList objects = root.getElementsByTagName("object");
        for (int i = 0; i < objects.getLength(); i++) {
            Element o = (Element) objects.item(i);
            Element bb = (Element) o.getElementsByTagName("bndbox").item(0);
            ObjectNode box = boxes.addObject();
            String name = text(o, "name");
            box.put("label_name", name);
            if (bb != null) {
                box.put("x0", vocCorner(text(bb, "xmin"), -1));
                box.put("y0", vocCorner(text(bb, "ymin"), -1));
                box.put("x1", vocCorner(text(bb, "xmax"), 0));
                box.put("y1", vocCorner(text(bb, "ymax"), 0));
            }
            box.put("difficult", "1".equals(text(o, "difficult")));
        }
        Map<String, String> v = new LinkedHashMap<>();
        v.put("path", "JPEGImages/" + file);
        v.put("boxes", boxes.toString());
        return v;
    }

    /**
     * A VOC SegmentationClass PNG (palette indices: VOC class i + 1, 0 background, 255 void) as the
     * project's label map: the model's class index + 1 where the VOC class has the same name in the
     * card, 0 background, 255 for void and for VOC classes the model does not have.
     */
    static byte[] vocSegmentation(byte[] png, List<String> classes, long maxPixels) throws IOException {
        try {
            ImageCodec.info(png, maxPixels); // the header's size first, never decoded above it
        } catch (DecodeException e) {
            throw new IOException("SegmentationClass PNG: " + e.getMessage(), e);
        }
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        if (img == null) {
            throw new IOException("SegmentationClass PNG does not decode");
        }
        int[] map = new int[256];
        Arrays.fill(map, 255);
        map[0] = 0;
        for (int i = 0; i < VOC_CLASSES.size(); i++) {
            int k = classes == null ? -1 : ModelCard.classIndex(classes, VOC_CLASSES.get(i));
            map[i + 1] = k < 0 || k > 253 ? 255 : k + 1;
        }
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] labels = new byte[w * h];
        Raster r = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                labels[y * w + x] = (byte) map[r.getSample(x, y, 0) & 0xff];
            }
        }
        return ImageCodec.greyPng(labels, w, h);
    }

    /** A VOC coordinate (1-based, inclusive; sometimes written as a decimal) shifted by {@code shift}. */
    private static String vocCorner(String text, int shift) {
        if (text == null) {
            return null;
        }
        try {
            return Integer.toString((int) Math.round(Double.parseDouble(text.strip())) + shift);
        } catch (NumberFormatException e) {
            return text; // reported as "not an integer" by the manifest's checks
        }
    }

    private static String text(Element e, String tag) {
        NodeList n = e.getElementsByTagName(tag);
        return n.getLength() == 0 ? null : n.item(0).getTextContent().strip();
    }

    /**
     * The rows of a COCO instances JSON ({@code images}, {@code annotations}, {@code categories}):
     * one per image, its boxes {@code [x, y, w, h]} rounded outwards to whole pixels, crowd
     * annotations kept with {@code difficult} set, category names checked against the model card.
     */
    static Manifest coco(String uri, Reader text, SourcePaths paths, List<String> classes) throws IOException {
        JsonNode root = JSON.readTree(text);
        if (root == null || !root.has("images") || !root.has("annotations") || !root.has("categories")) {
            throw new IllegalArgumentException(
                    "Not a COCO instances file: " + uri + " (needs images, annotations and categories)");
        }
        Map<Long, String> categories = new HashMap<>();
        for (JsonNode c : root.get("categories")) {
            categories.put(c.get("id").asLong(), c.get("name").asText());
        }
        Map<Long, ArrayNode> boxes = new LinkedHashMap<>();
        Map<Long, ArrayNode> shapes = new LinkedHashMap<>();
        for (JsonNode a : root.get("annotations")) {
            ArrayNode list = boxes.computeIfAbsent(a.path("image_id").asLong(), k -> JSON.createArrayNode());
            ObjectNode box = list.addObject();
            JsonNode bb = a.path("bbox");
            if (bb.isArray() && bb.size() == 4) {
                double x = bb.get(0).asDouble();
                double y = bb.get(1).asDouble();
                box.put("x0", (int) Math.floor(x));
                box.put("y0", (int) Math.floor(y));
                box.put("x1", (int) Math.ceil(x + bb.get(2).asDouble()));
                box.put("y1", (int) Math.ceil(y + bb.get(3).asDouble()));
            }
            String name = categories.get(a.path("category_id").asLong());
            box.put(
                    "label_name",
                    name == null ? "category " + a.path("category_id").asText() : name);
            box.put("difficult", a.path("iscrowd").asInt(0) == 1);
            JsonNode seg = a.path("segmentation");
            if (seg.isArray() && seg.size() > 0 || seg.isObject() && seg.has("counts")) {
                ObjectNode shape = shapes.computeIfAbsent(a.path("image_id").asLong(), k -> JSON.createArrayNode())
                        .addObject();
                shape.put("label_name", box.get("label_name").asText());
                shape.set(seg.isArray() ? "polygons" : "rle", seg);
            }
        }
        List<JsonNode> images = new ArrayList<>();
        root.get("images").forEach(images::add);
        Manifest m = Manifest.of(
                uri,
                paths,
                classes,
                n -> "COCO image " + images.get(n - 1).path("id").asText());
        for (int i = 0; i < images.size(); i++) {
            JsonNode im = images.get(i);
            Map<String, String> v = new LinkedHashMap<>();
            v.put("path", im.path("file_name").asText(null));
            ArrayNode list = boxes.getOrDefault(im.path("id").asLong(), JSON.createArrayNode());
            v.put("boxes", list.toString());
            if (shapes.containsKey(im.path("id").asLong())) {
                v.put(Manifest.SHAPES, shapes.get(im.path("id").asLong()).toString());
            }
            m.addRow(i + 1, v);
        }
        return m.done();
    }
}
