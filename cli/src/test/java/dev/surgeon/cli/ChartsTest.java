package dev.surgeon.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jfree.chart.JFreeChart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** Each chart kind written as SVG (well-formed XML with text) and PNG (signature, size), headless. */
class ChartsTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path dir;

    private static JFreeChart line() {
        double[] epochs = {1, 2, 3, 4, 5};
        return Charts.line("Loss per epoch", "epoch", "loss", List.of(
                new Charts.Series("train", epochs, new double[] {1, 0.5, 0.25, Double.NaN, 0.1}),
                new Charts.Series("test", epochs, new double[] {1.2, 0.7, 0.4, 0.3, 0.25})), true);
    }

    private static JFreeChart bars() {
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("magnitude", new double[] {50, 80, 10});
        series.put("obs", new double[] {60, 70, 20});
        return Charts.bars("Sparsity per tensor", "tensor", "sparsity (%)", List.of("fc1.weight", "fc2.weight", "fc3.weight"),
                series);
    }

    private static JFreeChart density() {
        double[] x = new double[101];
        double[] d = new double[101];
        for (int i = 0; i <= 100; i++) {
            x[i] = -1 + 0.1 * i;
            d[i] = Math.exp(-x[i] * x[i]) + 1e-6;
        }
        return Charts.density("Hessian eigenvalue density", "eigenvalue", "density", x, d, true);
    }

    private static Document svg(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(file.toFile());
    }

    @Test
    void everyChartKindWritesWellFormedSvgWithItsTitle() throws Exception {
        Map<String, JFreeChart> charts = Map.of("line", line(), "bars", bars(), "density", density());
        for (Map.Entry<String, JFreeChart> c : charts.entrySet()) {
            Path file = dir.resolve(c.getKey() + ".svg");
            Charts.write(c.getValue(), file);
            Document doc = svg(file);
            assertEquals("svg", doc.getDocumentElement().getTagName());
            assertEquals("800.0", doc.getDocumentElement().getAttribute("width"));
            String text = Files.readString(file);
            assertTrue(text.contains(c.getValue().getTitle().getText()), "title drawn as text in " + file);
        }
        assertTrue(Files.readString(dir.resolve("bars.svg")).contains("fc2.weight"), "category labels");
    }

    @Test
    void everyChartKindWritesPngOfTheRequestedSize() throws Exception {
        for (JFreeChart chart : List.of(line(), bars(), density())) {
            Path file = Files.createTempFile(dir, "chart", ".png");
            Charts.write(chart, file, 640, 400);
            byte[] bytes = Files.readAllBytes(file);
            assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, 8));
            BufferedImage image = ImageIO.read(file.toFile());
            assertEquals(640, image.getWidth());
            assertEquals(400, image.getHeight());
        }
    }

    @Test
    void unknownExtensionsAndMismatchedSeriesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Charts.write(line(), dir.resolve("chart.jpg")));
        assertThrows(IllegalArgumentException.class, () -> new Charts.Series("s", new double[2], new double[3]));
        assertThrows(IllegalArgumentException.class, () -> Charts.bars("t", "c", "v", List.of("a"), Map.of("s", new double[2])));
    }
}
