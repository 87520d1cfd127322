package dev.surgeon.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {
    @Test
    void parsesEveryValueKindKeepingKeyOrder() throws Exception {
        Object v = Json.parse(" {\"b\": [1, -0, 2.5e3, true, false, null, \"s\"], \"a\": {}, \"big\": 18446744073709551616} ", 8);
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("b", "a", "big"), List.copyOf(m.keySet()));
        List<?> b = (List<?>) m.get("b");
        assertEquals(1L, b.get(0));
        assertEquals(0L, b.get(1));
        assertEquals(2500.0, b.get(2));
        assertEquals(true, b.get(3));
        assertEquals(false, b.get(4));
        assertNull(b.get(5));
        assertEquals("s", b.get(6));
        assertEquals(Map.of(), m.get("a"));
        assertEquals(BigInteger.ONE.shiftLeft(64), m.get("big"));
    }

    @Test
    void decodesEscapesIncludingSurrogatePairs() throws Exception {
        assertEquals("q\"b\\s/\b\f\n\r\tA\u00e9😀", Json.parse("\"q\\\"b\\\\s\\/\\b\\f\\n\\r\\tA\\u00E9\\ud83d\\ude00\"", 1));
    }

    @Test
    void quoteRoundTripsThroughParse() throws Exception {
        String s = "a\"b\\c\n\u0001\u001f ∑ 😀 /";
        assertEquals(s, Json.parse(Json.quote(s), 1));
        assertThrows(IllegalArgumentException.class, () -> Json.quote("lone \ud800 surrogate"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", "-", "1e", ".5", "+1", "\"\\x\"",
            "\"\\u12G4\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"tab\there\"", "\"unterminated", "tru", "nul",
            "[1] 2", "{\"a\":1,\"a\":2}", "[[[[[[[[[[]]]]]]]]]]", "1e400", "NaN", "'single'"})
    void refusesInvalidOrHostileText(String text) {
        Json.SyntaxException e = assertThrows(Json.SyntaxException.class, () -> Json.parse(text, 8));
        assertTrue(e.getMessage().contains("at character"), e.getMessage());
    }

    @Test
    void refusesAbsurdlyLongNumbersWithoutParsingThem() {
        String digits = "9".repeat(1_000_000);
        Json.SyntaxException e = assertThrows(Json.SyntaxException.class, () -> Json.parse(digits, 1));
        assertTrue(e.getMessage().contains("longer than"), e.getMessage());
    }

    @Test
    void depthLimitCountsContainersOnly() throws Exception {
        assertEquals(List.of(List.of(List.of())), Json.parse("[[[]]]", 3));
        assertThrows(Json.SyntaxException.class, () -> Json.parse("[[[[]]]]", 3));
    }
}
