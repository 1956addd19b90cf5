package io.xaiscale.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a bench run writes: the repository's file holds the shipped model's figures, every section measured together. */
class BenchOutTest {
    static final Path SHIPPED = Path.of("models/fmnist-loc-cnn");
    static final Path OTHER = Path.of("/data/models/resnet50");

    @Test
    void theRepositorysFileTakesOnlyTheShippedModelWithEverySection() {
        assertEquals(
                BenchCommand.REPOSITORY_FILE,
                BenchCommand.outFor("auto", SHIPPED, "fmnist-loc-cnn", BenchCommand.SECTIONS));
        assertEquals(
                Path.of("bench-out/benchmarks-fmnist-loc-cnn.md"),
                BenchCommand.outFor("auto", SHIPPED, "fmnist-loc-cnn", List.of("methods")));
        assertEquals(
                Path.of("bench-out/benchmarks-resnet50.md"),
                BenchCommand.outFor("auto", OTHER, "resnet50", BenchCommand.SECTIONS));
        assertEquals(
                Path.of("/tmp/mine.md"), BenchCommand.outFor("/tmp/mine.md", OTHER, "resnet50", List.of("methods")));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> BenchCommand.outFor("docs/benchmarks.md", OTHER, "resnet50", List.of("methods")));
        assertEquals(
                "Invalid --out: docs/benchmarks.md (the repository's benchmarks hold the shipped model's figures, every"
                        + " section measured together; this run has model resnet50 and sections methods: leave --out at"
                        + " auto to write bench-out/benchmarks-resnet50.md)",
                e.getMessage());
    }

    /** Rates keep three significant digits: a slow method reads 0.347 images/s, not 0.3. */
    @Test
    void ratesHaveThreeSignificantDigits() {
        assertEquals("0.347", Timing.sig3(0.34712));
        assertEquals("12.3", Timing.sig3(12.3456));
        assertEquals("1230", Timing.sig3(1234.5));
        assertEquals("0.0012", Timing.sig3(0.0012));
    }
}
