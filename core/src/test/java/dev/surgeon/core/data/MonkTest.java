package dev.surgeon.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MonkTest {
    @TempDir
    Path dir;

    private static int positives(Dataset d) {
        return Arrays.stream(d.labels()).sum();
    }

    /**
     * Class counts of the official test files as documented with the UCI data (monks-1.test 216/216,
     * monks-2.test 290/142, monks-3.test 204/228): an independent check of the three rules.
     */
    @ParameterizedTest
    @CsvSource({"1, 216", "2, 142", "3, 228"})
    void testSetIsTheWholeAttributeSpaceWithTheDocumentedClassCounts(int problem, int positives) {
        Dataset test = MonkProblems.testSet(problem);
        assertEquals(432, test.size());
        assertArrayEquals(new int[]{17}, test.inputShape());
        assertEquals(positives, positives(test));
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < test.size(); i++) {
            float[] row = Arrays.copyOfRange(test.inputs(), i * 17, (i + 1) * 17);
            distinct.add(Arrays.toString(row));
            float ones = 0;
            for (float v : row) {
                ones += v;
            }
            assertEquals(6f, ones, 0f, "one hot per attribute");
        }
        assertEquals(432, distinct.size());
    }

    @Test
    void oneHotBlocksFollowTheAttributeOrder() {
        float[] x = new float[17];
        MonkProblems.encode(new int[]{3, 1, 2, 2, 4, 1}, x, 0);
        assertArrayEquals(new float[]{0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0}, x, 0f);
        assertArrayEquals(new int[]{3, 1, 2, 2, 4, 1}, MonkProblems.attributes(indexOf(3, 1, 2, 2, 4, 1)));
        assertArrayEquals(new int[]{1, 1, 1, 1, 1, 1}, MonkProblems.attributes(0));
        assertArrayEquals(new int[]{3, 3, 2, 3, 4, 2}, MonkProblems.attributes(431));
    }

    /** Index in attribute-space order (a1 slowest), computed independently of the implementation. */
    private static int indexOf(int... a) {
        int[] v = {3, 3, 2, 3, 4, 2};
        int idx = 0;
        for (int j = 0; j < 6; j++) {
            idx = idx * v[j] + a[j] - 1;
        }
        return idx;
    }

    @ParameterizedTest
    @CsvSource({"1, 124, 0", "2, 169, 0", "3, 122, 6"})
    void generatedTrainingSetHasTheOfficialSizeAndExactlyTheStatedNoise(int problem, int size, int noise) {
        MonkProblems.Training tr = MonkProblems.trainingSet(problem, 1234);
        assertEquals(size, tr.data().size());
        assertEquals(size, tr.indices().length);
        assertEquals(size, Arrays.stream(tr.indices()).distinct().count());
        assertEquals(noise, tr.flipped().length);
        Set<Integer> flipped = new HashSet<>();
        Arrays.stream(tr.flipped()).forEach(flipped::add);
        int wrong = 0;
        for (int i = 0; i < size; i++) {
            int[] a = MonkProblems.attributes(tr.indices()[i]);
            int clean = MonkProblems.concept(problem, a) ? 1 : 0;
            assertEquals(flipped.contains(i), tr.data().labels()[i] != clean, "example " + i);
            wrong += tr.data().labels()[i] != clean ? 1 : 0;
            float[] expected = new float[17];
            MonkProblems.encode(a, expected, 0);
            assertArrayEquals(expected, Arrays.copyOfRange(tr.data().inputs(), i * 17, (i + 1) * 17), 0f);
        }
        assertEquals(noise, wrong);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void generationIsDeterministicPerSeedAndVariesAcrossSeeds(int problem) {
        MonkProblems.Training a = MonkProblems.trainingSet(problem, 7);
        MonkProblems.Training b = MonkProblems.trainingSet(problem, 7);
        MonkProblems.Training c = MonkProblems.trainingSet(problem, 8);
        assertArrayEquals(a.indices(), b.indices());
        assertArrayEquals(a.flipped(), b.flipped());
        assertArrayEquals(a.data().labels(), b.data().labels());
        assertEquals(7, a.seed());
        assertFalse(Arrays.equals(a.indices(), c.indices()));
    }

    /**
     * Class balance of uniform subsets: the positive count of a sample of n from 432 with P positives is
     * hypergeometric with mean nP/432 and a standard deviation under 5 for these sizes; over 20 seeds every
     * count stays within 5 standard deviations (a failure would mean a biased draw, not bad luck).
     */
    @ParameterizedTest
    @CsvSource({"1, 216", "2, 142", "3, 228"})
    void trainingSubsetsKeepTheClassBalanceOfTheAttributeSpace(int problem, int positivesInSpace) {
        int n = MonkProblems.trainingSize(problem);
        double mean = n * positivesInSpace / 432.0;
        double p = positivesInSpace / 432.0;
        double sd = Math.sqrt(n * p * (1 - p) * (432.0 - n) / (432 - 1));
        double sumOfCounts = 0;
        for (long seed = 0; seed < 20; seed++) {
            MonkProblems.Training tr = MonkProblems.trainingSet(problem, seed);
            int clean = 0;
            for (int idx : tr.indices()) {
                clean += MonkProblems.concept(problem, MonkProblems.attributes(idx)) ? 1 : 0;
            }
            assertTrue(Math.abs(clean - mean) < 5 * sd, "seed " + seed + ": " + clean + " positives, expected about " + mean);
            sumOfCounts += clean;
        }
        // The mean of 20 draws has standard deviation sd/√20.
        assertEquals(mean, sumOfCounts / 20, 5 * sd / Math.sqrt(20));
    }

    /** Lines in the UCI layout; classes agree with the MONK-1 rule, as in the noise-free official file. */
    private static final List<String> MONK1_LINES = List.of(
            " 1 1 1 1 1 3 1 data_5",
            " 1 1 1 1 1 3 2 data_6",
            "",
            " 0 1 2 1 1 2 1 data_17",
            " 1 3 2 2 3 1 2 data_319",
            " 0 3 2 1 2 4 2 data_356 ");

    @Test
    void readerParsesTheUciLayoutIntoOneHotInputs() throws Exception {
        Path p = dir.resolve("monks-1.train");
        Files.write(p, MONK1_LINES);
        Dataset d = MonkReader.read(p);
        assertEquals(5, d.size());
        assertArrayEquals(new int[]{1, 1, 0, 1, 0}, d.labels());
        float[] expected = new float[17];
        MonkProblems.encode(new int[]{3, 2, 2, 3, 1, 2}, expected, 0);
        assertArrayEquals(expected, Arrays.copyOfRange(d.inputs(), 3 * 17, 4 * 17), 0f);
        for (int i = 0; i < d.size(); i++) {
            int[] a = new int[6];
            String[] t = MONK1_LINES.stream().filter(s -> !s.isBlank()).toList().get(i).strip().split(" ");
            for (int j = 0; j < 6; j++) {
                a[j] = Integer.parseInt(t[j + 1]);
            }
            assertEquals(MonkProblems.concept(1, a) ? 1 : 0, d.labels()[i]);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            " 1 1 1 1 1 3|line 2|7 or 8 fields",
            " 2 1 1 1 1 3 1 data_1|line 2, class|outside [0, 1]",
            " 1 1 1 3 1 3 1 data_1|line 2, a3|outside [1, 2]",
            " 1 1 1 1 1 5 1 data_1|line 2, a5|outside [1, 4]",
            " 1 x 1 1 1 3 1 data_1|line 2, a1|not an integer"})
    void malformedLineIsReportedWithItsNumber(String badLine, String field, String fragment) {
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> MonkReader.parse("monks-x.train", List.of(" 1 1 1 1 1 1 1 data_1", badLine)));
        assertEquals(field, e.field());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void xorHasTheFourPatterns() {
        Dataset x = XorData.dataset();
        assertArrayEquals(new float[]{0, 0, 0, 1, 1, 0, 1, 1}, x.inputs(), 0f);
        for (int i = 0; i < 4; i++) {
            assertEquals((int) x.inputs()[2 * i] ^ (int) x.inputs()[2 * i + 1], x.labels()[i]);
        }
    }
}
