package io.xaiscale.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The model's input equals torchvision's transform of the same file: fixtures written by Debian's
 * python3-torchvision 0.14 / Pillow 9.4 ({@code common/src/test/python/make_geometry_fixtures.py}),
 * per case a card's preprocessing fields and the bytes torchvision gives (ToTensor = bytes / 255).
 */
class GeometryParityTest {
    static final Path DIR = Path.of("src/test/resources/fixtures/geometry");

    @Test
    void everyFixtureIsWithinOneLevelOfTorchvision() throws Exception {
        JsonNode index = new ObjectMapper().readTree(DIR.resolve("index.json").toFile());
        List<String> report = new ArrayList<>();
        int exact = 0;
        int cases = 0;
        for (JsonNode c : index.get("cases")) {
            JsonNode f = c.get("preprocessing");
            List<String> problems = new ArrayList<>();
            Geometry g = Geometry.of(
                    f.get("geometry").asText(),
                    f.get("resize").asText(),
                    null,
                    f.has("resize_to") ? f.get("resize_to").asInt() : null,
                    null,
                    null,
                    problems);
            assertEquals(List.of(), problems);
            int h = c.get("height").asInt();
            int w = c.get("width").asInt();
            float[] ours = new float[3 * h * w];
            ImageCodec.toTensor(Files.readAllBytes(DIR.resolve(c.get("input").asText())), 3, h, w, g, ours, 0);
            BufferedImage expected =
                    ImageIO.read(DIR.resolve(c.get("expected").asText()).toFile());
            int worst = 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = expected.getRGB(x, y);
                    int[] e = {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
                    for (int ch = 0; ch < 3; ch++) {
                        int o = Math.round(ours[ch * h * w + y * w + x] * 255);
                        worst = Math.max(worst, Math.abs(o - e[ch]));
                    }
                }
            }
            cases++;
            exact += worst == 0 ? 1 : 0;
            report.add(c.get("case").asText() + " " + c.get("input").asText() + ": max " + worst);
        }
        System.out.println("[geometry parity] " + String.join("; ", report));
        assertEquals(20, cases);
        for (String r : report) {
            // the issue asks for 1/255; the resampling is Pillow's own arithmetic, so PNG inputs are exact,
            // and so were the JPEGs (ImageIO's and libjpeg-turbo's integer IDCT agree on these files)
            assertTrue(Integer.parseInt(r.substring(r.lastIndexOf(' ') + 1)) <= (r.contains(".jpg") ? 1 : 0), r);
        }
        assertEquals(cases, exact, "byte-exact everywhere on this JDK: " + String.join("\n", report));
    }
}
