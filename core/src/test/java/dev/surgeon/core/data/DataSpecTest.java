package dev.surgeon.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DataSpecTest {
    @TempDir
    Path dir;

    @Test
    void realFashionMnistHas60000And10000ImagesOf28By28InTenBalancedClasses() throws Exception {
        Path installed = Path.of(Datasets.FASHION_MNIST_PATH);
        assumeTrue(Files.isDirectory(installed),
                "skipped: " + installed + " is absent (apt-get install dataset-fashion-mnist to run this test)");
        Split s = DataSpec.parse("fashion-mnist").load(0);
        assertEquals(60000, s.train().size());
        assertEquals(10000, s.test().size());
        assertArrayEquals(new int[]{1, 28, 28}, s.train().inputShape());
        assertEquals(10, s.train().numClasses());
        assertEquals(10, s.test().numClasses());
        // Fashion-MNIST is balanced: 6000 training and 1000 test images per class.
        int[] counts = new int[10];
        for (int y : s.train().labels()) {
            counts[y]++;
        }
        int[] expected = new int[10];
        Arrays.fill(expected, 6000);
        assertArrayEquals(expected, counts);
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : s.test().inputs()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(0f, min, 0f);
        assertEquals(1f, max, 0f);
        assertTrue(s.description().contains(installed.toString()), s.description());
    }

    @Test
    void absentFashionMnistNamesThePackageAndTheIdxAlternative() {
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                () -> Datasets.fashionMnist(dir.resolve("nowhere")));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains("idx:DIR"), e.getMessage());
    }

    @Test
    void idxDirectoryInTheMnistLayoutLoadsGzipAndRawFilesAlike() throws Exception {
        byte[] pixels = new byte[2 * 4];
        pixels[3] = (byte) 255;
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), IdxReaderTest.gzip(IdxReaderTest.idx(0x08, new int[]{2, 2, 2}, pixels)));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), IdxReaderTest.idx(0x08, new int[]{2}, new byte[]{0, 2}));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), IdxReaderTest.idx(0x08, new int[]{1, 2, 2}, new byte[4]));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), IdxReaderTest.gzip(IdxReaderTest.idx(0x08, new int[]{1}, new byte[]{1})));
        Split s = DataSpec.parse("idx:" + dir).load(0);
        assertEquals(2, s.train().size());
        assertEquals(1, s.test().size());
        assertEquals(3, s.test().numClasses()); // the test set takes the training set's class count
        assertEquals(1f, s.train().inputs()[3], 0f);
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class, () -> DataSpec.parse("idx:" + dir).load(0));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte[.gz]"), e.getMessage());
    }

    @Test
    void generatedMonkRecordsTheSeedAndTheFlippedLabels() throws Exception {
        Split s = DataSpec.parse("monk-3").load(42);
        MonkProblems.Training tr = MonkProblems.trainingSet(3, 42);
        assertArrayEquals(tr.data().labels(), s.train().labels());
        assertEquals(432, s.test().size());
        assertTrue(s.description().contains("seed 42"), s.description());
        assertTrue(s.description().contains(Arrays.toString(tr.flipped())), s.description());
    }

    @Test
    void monkWithAPathReadsTheTrainFileAndTheTestFileBesideIt() throws Exception {
        List<String> train = List.of(" 1 1 1 1 1 3 1 data_5", " 0 1 2 1 1 2 1 data_17");
        List<String> test = new ArrayList<>();
        for (int i = 0; i < MonkProblems.EXAMPLES; i++) {
            int[] a = MonkProblems.attributes(i);
            test.add(" " + (MonkProblems.concept(2, a) ? 1 : 0) + " " + a[0] + " " + a[1] + " " + a[2] + " " + a[3] + " " + a[4] + " "
                    + a[5] + " data_" + (i + 1));
        }
        Files.write(dir.resolve("monks-2.train"), train);
        Files.write(dir.resolve("monks-2.test"), test);
        Split byFile = DataSpec.parse("monk-2:" + dir.resolve("monks-2.train")).load(0);
        Split byDir = DataSpec.parse("monk-2:" + dir).load(0);
        assertEquals(2, byFile.train().size());
        assertArrayEquals(MonkProblems.testSet(2).labels(), byFile.test().labels());
        assertArrayEquals(MonkProblems.testSet(2).inputs(), byDir.test().inputs(), 0f);
        Files.delete(dir.resolve("monks-2.test"));
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class, () -> DataSpec.parse("monk-2:" + dir).load(0));
        assertTrue(e.getMessage().contains("monks-2.test"), e.getMessage());
    }

    @Test
    void xorIsTrainingAndTestSet() throws Exception {
        Split s = DataSpec.parse(" xor ").load(0);
        assertEquals(4, s.train().size());
        assertEquals(4, s.test().size());
    }

    @Test
    void csvWithoutTestFileHoldsOutASeededFraction() throws Exception {
        List<String> lines = new ArrayList<>(List.of("a,b,label"));
        for (int i = 0; i < 50; i++) {
            lines.add(i + "," + (i * 0.5) + "," + (i % 2 == 0 ? "even" : "odd"));
        }
        Path csv = dir.resolve("data.csv");
        Files.write(csv, lines);
        Split s = DataSpec.parse("csv:" + csv + ":label=label").load(3);
        Split again = DataSpec.parse("csv:" + csv + ":label=label").load(3);
        assertEquals(40, s.train().size());
        assertEquals(10, s.test().size());
        assertArrayEquals(s.test().inputs(), again.test().inputs(), 0f);
        assertTrue(s.description().contains("seed 3"), s.description());
        Split quarter = DataSpec.parse("csv:" + csv + ":holdout=0.25:label=2").load(3);
        assertEquals(13, quarter.test().size()); // round(0.25 · 50)
        // Held-out rows and training rows partition the file.
        float[] firstColumn = new float[50];
        int k = 0;
        for (Dataset d : List.of(s.train(), s.test())) {
            for (int i = 0; i < d.size(); i++) {
                firstColumn[k++] = d.inputs()[2 * i];
            }
        }
        Arrays.sort(firstColumn);
        for (int i = 0; i < 50; i++) {
            assertEquals(i, firstColumn[i], 0f);
        }
    }

    @Test
    void csvWithATestFileSharesTheTrainingClassMapping() throws Exception {
        Path train = dir.resolve("train.csv");
        Path test = dir.resolve("test.csv");
        Files.write(train, List.of("x,y", "1,b", "2,a", "3,c"));
        Files.write(test, List.of("x,y", "4,c"));
        Split s = DataSpec.parse("csv:" + train + ":label=y:test=" + test).load(0);
        assertArrayEquals(new int[]{2}, s.test().labels());
        assertEquals(3, s.test().numClasses());
        Files.write(train, List.of("x,y", "1,2.5", "2,3.5"));
        Files.write(test, List.of("x,y", "4,5.5"));
        Split r = DataSpec.parse("csv:" + train + ":label=0:task=regression:test=" + test).load(0);
        assertArrayEquals(new float[]{4f}, r.test().targets(), 0f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mnist", "", "monk-4", "monk-1:", "idx:", "csv:", "csv:f.csv", "csv:f.csv:label=y:colour=red",
            "csv:f.csv:label=y:task=clustering", "csv:f.csv:label=y:holdout=1.5", "csv:f.csv:label=y:label=z",
            "csv:f.csv:label=y:holdout=0.1:test=g.csv"})
    void invalidSpecIsRefusedListingTheValidForms(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataSpec.parse(spec));
        assertTrue(e.getMessage().contains(DataSpec.FORMS), e.getMessage());
    }
}
