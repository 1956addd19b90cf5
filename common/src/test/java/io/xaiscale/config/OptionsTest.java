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
