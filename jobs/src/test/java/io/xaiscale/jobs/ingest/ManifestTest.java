package io.xaiscale.jobs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.image.Box;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Manifests as people write them: every row has one outcome, a bad value is its row's error, never the run's. */
class ManifestTest {
    static final SourcePaths SRC = new SourcePaths("file:/data/images");
    static final List<String> CLASSES = List.of("t-shirt/top", "trouser", "pullover", "dress");

    static Manifest csv(String text) throws IOException {
        return Manifest.read("file:/data/m.csv", new StringReader(text), SRC, CLASSES);
    }

    @Test
    void rfc4180QuotingPathNormalisationAndLineNumbers() throws IOException {
        Manifest m = csv("\uFEFFpath,label,label_name,x0,y0,x1,y1,split\r\n"
                + "\"a, b.png\",1,trouser,1,2,3,4,train\r\n"
                + "./sub//c.png,,\"pull\"\"over\",,,,,\n"
                + "\n"
                + "/data/images/d.png,2,,,,,,\n"
                + "file:///data/images/e.png,3,Dress,,,,,\n"
                + "\"multi\nline.png\",0,,,,,,\n"
                + "x.png,1,,,,,,test\n");
        assertEquals(
                List.of(new LabeledBox(new Box(1, 2, 3, 4), 1, "trouser", null)),
                m.entries.get("a, b.png").boxes());
        assertEquals(2, m.entries.get("a, b.png").line());
        // a label name that is no class, with no label: the row's error, naming the classes
        Manifest.Entry c = m.entries.get("sub/c.png");
        assertTrue(c.error().startsWith("manifest line 3: label_name 'pull\"over' is not a class"), c.error());
        assertEquals(2, m.entries.get("d.png").label());
        assertNull(m.entries.get("e.png").error(), "class names match regardless of case");
        assertEquals(0, m.entries.get("multi\nline.png").label());
        assertEquals(9, m.entries.get("x.png").line(), "a quoted line break counts as a line");
        assertEquals(Map.of("entry", 6L), m.rows);
    }

    @Test
    void badValuesAreRowErrorsNamingTheLine() throws IOException {
        Manifest m = csv("path,label,label_name,x0,y0,x1,y1\n"
                + "inverted.png,1,,30,30,10,10\n"
                + "nonnumeric.png,1,,a,0,5,5\n"
                + "partial.png,1,,0,0,5,\n"
                + "range.png,42,,,,,\n"
                + "negative.png,-1,,,,,\n"
                + "mismatch.png,3,coat,,,,\n");
        assertTrue(m.entries.get("inverted.png").error().startsWith("manifest line 2: Invalid box"));
        assertEquals(
                "manifest line 3: x0 'a' is not an integer",
                m.entries.get("nonnumeric.png").error());
        assertTrue(m.entries.get("partial.png").error().contains("a box needs all of x0, y0, x1, y1"));
        assertEquals(
                "manifest line 5: label 42 is not a class of the model (0..3)",
                m.entries.get("range.png").error());
        assertEquals(
                "manifest line 6: label -1 is negative",
                m.entries.get("negative.png").error());
        assertEquals(
                "manifest line 7: label 3 is 'dress' in the model card, not 'coat'",
                m.entries.get("mismatch.png").error());
        assertEquals(List.of(), m.entries.get("inverted.png").boxes(), "no value of a bad row is used");
    }

    @Test
    void duplicatesAreCountedOnceAndConflictsNameEveryLine() throws IOException {
        Manifest m = csv("path,label\n" + "a.png,1\n" + "./a.png,1\n" + "b.png,1\n" + "b.png,2\n" + "b.png,1\n");
        assertEquals(Map.of("entry", 2L, "duplicate_row", 1L, "conflicting_row", 2L), m.rows);
        assertEquals("duplicate_row", m.rejects.get(0).reason());
        assertEquals("file:/data/m.csv:3", m.rejects.get(0).input());
        String e = m.entries.get("b.png").error();
        assertTrue(e.startsWith("manifest rows for b.png disagree: line 4 (label 1) vs line 5 (label 2) vs line 6"), e);
    }

    @Test
    void rowsThatNameNoFileUnderTheSourceAreRejectedWithTheirReason() throws IOException {
        Manifest m = csv("path,label\n"
                + "../escape.png,1\n"
                + "/elsewhere/x.png,1\n"
                + "s3a://bucket/x.png,1\n"
                + ",1\n"
                + "short.png\n"
                + "\"open.png,1\n");
        assertEquals(Map.of("outside_source", 3L, "no_path", 1L, "unreadable_row", 2L), m.rows, m.rejects.toString());
        assertEquals(
                List.of(2, 3, 4, 5, 6, 7),
                m.rejects.stream().map(Reject::line).sorted().toList());
        assertTrue(m.rejects.stream().anyMatch(r -> r.detail().contains("never closed")));
    }

    @Test
    void jsonLinesNameTheBrokenLine() throws IOException {
        Manifest m = Manifest.read(
                "file:/data/m.jsonl",
                new StringReader("{\"path\": \"a.png\", \"label\": 1, \"x0\": 1, \"y0\": 1, \"x1\": \"5\", \"y1\": 5}\n"
                        + "{\"path\": \"b.png\", \"label\": 2.5}\n"
                        + "{\"path\": \"c.png\", \"label\": 1\n"
                        + "\n"
                        + "[1, 2]\n"
                        + "{\"path\": \"d.png\", \"colour\": \"red\"}\n"),
                SRC,
                CLASSES);
        assertEquals(
                List.of(new LabeledBox(new Box(1, 1, 5, 5), 1, null, null)),
                m.entries.get("a.png").boxes());
        assertEquals(
                "manifest line 2: label '2.5' is not an integer",
                m.entries.get("b.png").error());
        assertEquals(List.of(3, 5, 6), m.rejects.stream().map(Reject::line).toList());
        assertTrue(m.rejects.get(2).detail().startsWith("unknown field 'colour'"));
    }

    @Test
    void jsonLinesCarryEveryObjectOfAnImageWithItsClass() throws IOException {
        Manifest m = Manifest.read(
                "file:/data/m.jsonl",
                new StringReader("{\"path\": \"two.png\", \"boxes\": [{\"x0\": 1, \"y0\": 2, \"x1\": 9, \"y1\": 9,"
                        + " \"label_name\": \"dress\"}, {\"x0\": 20, \"y0\": 0, \"x1\": 30, \"y1\": 8, \"label\": 1,"
                        + " \"difficult\": true}]}\n"
                        + "{\"path\": \"bad.png\", \"boxes\": [{\"x0\": 1, \"y0\": 2, \"x1\": 9}, {\"x0\": 0, \"y0\": 0,"
                        + " \"x1\": 5, \"y1\": 5, \"label\": 12}]}\n"),
                SRC,
                CLASSES);
        assertEquals(
                List.of(
                        new LabeledBox(new Box(1, 2, 9, 9), 3, "dress", null),
                        new LabeledBox(new Box(20, 0, 30, 8), 1, null, true)),
                m.entries.get("two.png").boxes());
        assertEquals(
                "manifest line 2: boxes[0]: missing y1; boxes[1]: label 12 is not a class of the model (0..3)",
                m.entries.get("bad.png").error());
    }

    @Test
    void aHeaderWithAnUnknownColumnFailsTheIngestAtOnceNamingTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> csv("path,lable\na.png,1\n"));
        assertTrue(e.getMessage().contains("'lable'") && e.getMessage().contains("valid: path, label"));
    }
}
