package io.xaiscale.image;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads the Fashion-MNIST idx files (as installed by Debian's {@code dataset-fashion-mnist} under
 * {@link #DEFAULT_DIR}). Images are 28x28 unsigned bytes, row-major.
 */
public final class FashionMnist {
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final List<String> CLASS_NAMES = List.of(
            "t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot");
    public static final int SIDE = 28;

    /** One split of the data set: {@code images[i]} has {@code SIDE*SIDE} bytes, {@code labels[i]} in 0..9. */
    public record Split(String name, byte[][] images, int[] labels) {
        public int size() {
            return labels.length;
        }
    }

    private FashionMnist() {}

    /** @param split "train" or "test" */
    public static Split read(Path dir, String split) throws IOException {
        String prefix = switch (split) {
            case "train" -> "train";
            case "test" -> "t10k";
            default ->
                throw new IllegalArgumentException("Invalid Fashion-MNIST split: " + split + " (valid: train, test)");
        };
        Path images = dir.resolve(prefix + "-images-idx3-ubyte.gz");
        Path labels = dir.resolve(prefix + "-labels-idx1-ubyte.gz");
        if (!Files.exists(images) || !Files.exists(labels)) {
            throw new IOException("Fashion-MNIST idx files not found under " + dir
                    + " (install them with: apt-get install -y dataset-fashion-mnist)");
        }
        byte[][] imgs = readImages(images);
        int[] labs = readLabels(labels);
        if (imgs.length != labs.length) {
            throw new IOException(
                    "Fashion-MNIST " + split + ": " + imgs.length + " images but " + labs.length + " labels");
        }
        return new Split(split, imgs, labs);
    }

    private static DataInputStream open(Path p) throws IOException {
        InputStream in = Files.newInputStream(p);
        return new DataInputStream(new GZIPInputStream(in, 1 << 16));
    }

    private static byte[][] readImages(Path p) throws IOException {
        try (DataInputStream in = open(p)) {
            int magic = in.readInt();
            if (magic != 0x803) {
                throw new IOException("Not an idx3 image file (magic " + Integer.toHexString(magic) + "): " + p);
            }
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (rows != SIDE || cols != SIDE) {
                throw new IOException("Expected 28x28 images, found " + rows + "x" + cols + " in " + p);
            }
            byte[][] out = new byte[n][rows * cols];
            for (int i = 0; i < n; i++) {
                in.readFully(out[i]);
            }
            return out;
        }
    }

    private static int[] readLabels(Path p) throws IOException {
        try (DataInputStream in = open(p)) {
            int magic = in.readInt();
            if (magic != 0x801) {
                throw new IOException("Not an idx1 label file (magic " + Integer.toHexString(magic) + "): " + p);
            }
            int n = in.readInt();
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = in.readUnsignedByte();
            }
            return out;
        }
    }
}
