package dev.surgeon.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonWriterTest {

    @Test
    void writtenTreesParseBackWithTheStrictHeaderParser() throws Json.SyntaxException {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("text", "quote \" backslash \\ newline \n tab \t control \u0001 unicode λ 🚀");
        tree.put("int", 42);
        tree.put("long", 1L << 40);
        tree.put("double", 1.5e-7);
        tree.put("whole", 3.0);
        tree.put("nan", Double.NaN);
        tree.put("inf", Double.POSITIVE_INFINITY);
        tree.put("null", null);
        tree.put("flag", true);
        tree.put("ints", new int[] {1, 2, 3});
        tree.put("doubles", new double[] {0.25, -2});
        tree.put("empty list", List.of());
        tree.put("empty map", Map.of());
        tree.put("nested", List.of(Map.of("a", 1), List.of(1, 2)));
        String text = JsonWriter.write(tree);
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) Json.parse(text, 16);
        assertEquals(tree.get("text"), back.get("text"));
        assertEquals(42L, back.get("int"));
        assertEquals(1L << 40, back.get("long"));
        assertEquals(1.5e-7, back.get("double"));
        assertEquals(3.0, back.get("whole"));
        assertEquals(null, back.get("nan"), "NaN has no JSON form: null");
        assertEquals(null, back.get("inf"));
        assertEquals(true, back.containsKey("null"));
        assertEquals(true, back.get("flag"));
        assertEquals(List.of(1L, 2L, 3L), back.get("ints"));
        assertEquals(List.of(0.25, -2.0), back.get("doubles"));
        assertEquals(List.of(), back.get("empty list"));
        assertEquals(Map.of(), back.get("empty map"));
        assertEquals(List.of(Map.of("a", 1L), List.of(1L, 2L)), back.get("nested"));
        assertEquals(List.copyOf(tree.keySet()), List.copyOf(back.keySet()), "key order is kept");
    }

    @Test
    void unsupportedValuesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> JsonWriter.write(Map.of("x", new Object())));
        assertThrows(IllegalArgumentException.class, () -> JsonWriter.write(Map.of(1, "x")));
    }
}
