package io.xaiscale.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OptionsTest {
    static Options opts() {
        return new Options("explain")
                .add("methods", "gradient", "methods")
                .add("batch-size", "16", "batch")
                .flag("dry-run", "dry");
    }

    @Test
    void defaultsFilesAndArgumentsInThatOrder(@TempDir Path dir) throws Exception {
        Path conf = Files.writeString(dir.resolve("x.properties"), "methods=grad_cam\nbatch-size=4\n");
        Options o = opts().parse(new String[] {"--config", conf.toString(), "--batch-size=8", "--dry-run"});
        assertEquals("grad_cam", o.get("methods"));
        assertEquals(8, o.getInt("batch-size", 1, 100));
        assertEquals(true, o.getFlag("dry-run"));
        assertEquals(
                "{batch-size=8, dry-run=true, methods=grad_cam}", o.resolved().toString());
    }

    /** A boolean reads alike in every form; --config=FILE reads the file like --config FILE. */
    @Test
    void booleansReadAlikeWrittenAnyWayAndConfigTakesBothForms(@TempDir Path dir) throws Exception {
        for (String[] args : new String[][] {
            {"--dry-run"}, {"--dry-run=true"}, {"--dry-run", "true"}, {"--dry-run", "--batch-size", "2"}
        }) {
            assertEquals(true, opts().parse(args).getFlag("dry-run"), String.join(" ", args));
        }
        assertEquals(false, opts().parse(new String[] {"--dry-run", "false"}).getFlag("dry-run"));
        assertEquals(false, opts().parse(new String[] {"--dry-run=false"}).getFlag("dry-run"));
        Options on = new Options("x").bool("agreement", true, "a").parse(new String[] {"--agreement", "false"});
        assertEquals(false, on.getFlag("agreement"));
        Path conf = Files.writeString(dir.resolve("y.properties"), "methods=grad_cam\n");
        Options o = opts().parse(new String[] {"--config=" + conf, "--batch-size", "8"});
        assertEquals("grad_cam", o.get("methods"));
        assertEquals(8, o.getInt("batch-size", 1, 100));
    }

    /** Paths the user gives are the caller's; defaults stay relative to the launcher (the repository). */
    @Test
    void relativePathsTheUserGivesResolveAgainstTheCallersDirectory() {
        Options o = new Options("ingest")
                .path("source", "data/sample", "images")
                .path("warehouse", "warehouse", "tables")
                .path("manifest", "", "manifest")
                .path("model", "models/m", "model")
                .add("methods", "a/b", "not a path");
        o.parse(
                new String[] {"--source", "photos/../pics", "--warehouse", "s3a://bucket/wh", "--methods", "x/y"},
                "/home/me");
        assertEquals("/home/me/pics", o.get("source"));
        assertEquals("s3a://bucket/wh", o.get("warehouse"), "a URI stays as it is");
        assertEquals("", o.get("manifest"), "no value stays none");
        assertEquals("models/m", o.get("model"), "a default stays relative to the launcher");
        assertEquals("x/y", o.get("methods"), "only path options are resolved");
        assertEquals("/abs/dir", Options.resolve("/abs/dir", "/home/me"));
        assertEquals("file:/x", Options.resolve("file:/x", "/home/me"));
        assertEquals("rel", Options.resolve("rel", null), "without a caller directory, as given");
    }

    @Test
    void errorsNameTheOptionTheValueAndTheValidChoices(@TempDir Path dir) throws Exception {
        assertEquals(
                "Unknown option --bach-size for explain (valid: --methods, --batch-size, --dry-run, --config)",
                assertThrows(IllegalArgumentException.class, () -> opts().parse(new String[] {"--bach-size", "3"}))
                        .getMessage());
        assertEquals(
                "Invalid --batch-size: 0 (must be in [1, 100])",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> opts().parse(new String[] {"--batch-size", "0"})
                                        .getInt("batch-size", 1, 100))
                        .getMessage());
        assertEquals(
                "Option --methods of explain needs a value (methods)",
                assertThrows(IllegalArgumentException.class, () -> opts().parse(new String[] {"--methods"}))
                        .getMessage());
        Path conf = Files.writeString(dir.resolve("bad.properties"), "method=gradient\n");
        assertEquals(
                "Unknown option --method for explain (valid: --methods, --batch-size, --dry-run, --config)",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> opts().parse(new String[] {"--config", conf.toString()}))
                        .getMessage());
    }
}
