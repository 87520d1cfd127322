package dev.surgeon.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CsvReaderTest {
    private static final List<String> IRIS_LIKE = List.of(
            "sepal,petal,species,width",
            "5.1, 1.4 ,setosa,0.2",
            "",
            "7.0,4.7,versicolor,1.4",
            "6.3,6.0,\"virginica\",2.5",
            "4.9,1.4,setosa,-.2e1");

    @Test
    void labelByHeaderNameMapsStringClassesInSortedOrder() throws Exception {
        CsvReader.CsvData d = CsvReader.labelColumn("species").parse("iris.csv", IRIS_LIKE);
        assertEquals(List.of("setosa", "versicolor", "virginica"), d.classes());
        assertEquals(List.of("sepal", "petal", "width"), d.featureNames());
        assertEquals("species", d.labelName());
        assertArrayEquals(new int[]{0, 1, 2, 0}, d.dataset().labels());
        assertArrayEquals(new int[]{3}, d.dataset().inputShape());
        assertArrayEquals(new float[]{5.1f, 1.4f, 0.2f, 7.0f, 4.7f, 1.4f, 6.3f, 6.0f, 2.5f, 4.9f, 1.4f, -2f}, d.dataset().inputs(), 0f);
    }

    @Test
    void numericLabelsByIndexWithoutHeaderAreOrderedNumerically() throws Exception {
        List<String> lines = List.of("1,2,10", "3,4,9", "5,6,10.0", "7,8,-1");
        CsvReader.CsvData d = CsvReader.labelColumn("-1").parse("n.csv", lines);
        assertEquals(List.of("-1", "9", "10"), d.classes()); // numeric order, "10" and "10.0" one class
        assertArrayEquals(new int[]{2, 1, 2, 0}, d.dataset().labels());
        assertEquals(List.of("column 0", "column 1"), d.featureNames());
        assertEquals(4, d.dataset().size());
    }

    @Test
    void autoDetectsAHeaderOnlyWhenAFeatureCellIsNotANumber() throws Exception {
        assertEquals(2, CsvReader.labelColumn("0").parse("a", List.of("y,x", "0,1", "1,2")).dataset().size());
        assertEquals(3, CsvReader.labelColumn("0").parse("b", List.of("a,1", "b,2", "a,3")).dataset().size());
        assertEquals(2, CsvReader.labelColumn("0").withHeader(CsvReader.Header.PRESENT)
                .parse("c", List.of("0,1", "1,2", "0,3")).dataset().size());
    }

    @Test
    void regressionKeepsTheLabelAsARealTarget() throws Exception {
        CsvReader.CsvData d = CsvReader.labelColumn("y").withTask(CsvReader.Task.REGRESSION).withDelimiter(';')
                .parse("r.csv", List.of("x;y", "1;0.5", "2;-1.25e2"));
        assertThrows(IllegalArgumentException.class, () -> CsvReader.labelColumn("y").withDelimiter('"'));
        assertEquals(List.of(), d.classes());
        assertEquals(1, d.dataset().targetSize());
        assertArrayEquals(new float[]{0.5f, -125f}, d.dataset().targets(), 0f);
    }

    @Test
    void semicolonDelimiterAndQuotedCellsWithEscapedQuotes() throws Exception {
        CsvReader.CsvData d = CsvReader.labelColumn("label").withDelimiter(';')
                .parse("q.csv", List.of("\"a;b\";label", "1;\"say \"\"hi\"\"\"", "2;plain"));
        assertEquals(List.of("a;b"), d.featureNames());
        assertEquals(List.of("plain", "say \"hi\""), d.classes());
    }

    @Test
    void imposedClassesMapTestLabelsAndRefuseUnknownOnes() throws Exception {
        CsvReader reader = CsvReader.labelColumn("1").withClasses(List.of("cat", "dog"));
        assertArrayEquals(new int[]{1, 0}, reader.parse("t.csv", List.of("0.5,dog", "1.5,cat")).dataset().labels());
        DataFormatException e = assertThrows(DataFormatException.class, () -> reader.parse("t.csv", List.of("0.5,dog", "1.5,cow")));
        assertEquals("line 2, column 2 (column 1)", e.field());
        assertTrue(e.getMessage().contains("[cat, dog]"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "x,y|1,2|oops,1|line 3, column 1 (x)|'oops'",
            "x,y|1,2|,1|line 3, column 1 (x)|missing value",
            "x,y|1,2|NaN,1|line 3, column 1 (x)|not a decimal number",
            "x,y|1,2|1e99,1|line 3, column 1 (x)|beyond the float range",
            "x,y|1,2|1.5f,1|line 3, column 1 (x)|not a decimal number",
            "x,y|1,2|1,2,3|line 3|expected 2 cells",
            "x,y|1,2|1,|line 3, column 2 (y)|missing label",
            "x,y|1,2|1,\"2|line 3|unterminated",
            "x,z|1,2|1,3|header (line 1)|no column named 'y'"})
    void badCellIsReportedWithLineAndColumn(String l1, String l2, String l3, String field, String fragment) {
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> CsvReader.labelColumn("y").parse("bad.csv", List.of(l1, l2, l3)));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void aSingleClassIsRefusedWithAHintAtRegression() {
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> CsvReader.labelColumn("1").parse("one.csv", List.of("1,7", "2,7")));
        assertTrue(e.getMessage().contains("regression"), e.getMessage());
    }
}
