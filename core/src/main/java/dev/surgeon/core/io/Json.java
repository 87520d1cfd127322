package dev.surgeon.core.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal, strict JSON parser (RFC 8259) for file headers, and string quoting for writers. Core has no
 * third-party dependencies, and a header parser must be strict anyway: it refuses duplicate keys, nesting
 * deeper than a limit (so hostile input cannot overflow the stack), unpaired surrogates, control characters
 * in strings, leading zeros, and anything but whitespace after the root value.
 *
 * <p>Values map to: object → {@code LinkedHashMap<String, Object>} (key order kept), array →
 * {@code ArrayList<Object>}, string → {@code String}, integer literal (no fraction, no exponent) →
 * {@code Long} or, beyond the long range, {@code BigInteger}; other numbers → {@code Double}; true/false →
 * {@code Boolean}; null → {@code null}.
 */
final class Json {
    /** Longest number literal accepted; longer ones are refused rather than handed to BigInteger. */
    private static final int MAX_NUMBER_CHARS = 400;

    /** A syntax error at a character offset of the text. */
    static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int offset;

        SyntaxException(int offset, String message) {
            super(message + " at character " + offset);
            this.offset = offset;
        }

        int offset() {
            return offset;
        }
    }

    private final String text;
    private final int maxDepth;
    private int pos;

    private Json(String text, int maxDepth) {
        this.text = text;
        this.maxDepth = maxDepth;
    }

    /** Parses one JSON value spanning all of {@code text} (surrounding whitespace allowed). */
    static Object parse(String text, int maxDepth) throws SyntaxException {
        Json p = new Json(text, maxDepth);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) {
            throw new SyntaxException(p.pos, "unexpected " + p.describe() + " after the JSON value");
        }
        return value;
    }

    /** The JSON string literal for {@code s}, quotes included. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else if (Character.isSurrogate(c) && !validSurrogateAt(s, i)) {
                        // An unpaired surrogate has no UTF-8 form: the file could not be read back.
                        throw new IllegalArgumentException("string has an unpaired surrogate at index " + i + ": " + s);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static boolean validSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    private Object value(int depth) throws SyntaxException {
        if (pos >= text.length()) {
            throw new SyntaxException(pos, "unexpected end of text, expected a value");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || c >= '0' && c <= '9') {
                    yield number();
                }
                throw new SyntaxException(pos, "unexpected " + describe() + ", expected a value");
            }
        };
    }

    private Map<String, Object> object(int depth) throws SyntaxException {
        checkDepth(depth);
        pos++;
        Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw new SyntaxException(pos, "unexpected " + describe() + ", expected a string key");
            }
            int keyPos = pos;
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object v = value(depth);
            if (map.containsKey(key)) {
                throw new SyntaxException(keyPos, "duplicate key " + quote(key));
            }
            map.put(key, v);
            skipWhitespace();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == '}') {
                pos++;
                return map;
            } else {
                throw new SyntaxException(pos, "unexpected " + describe() + ", expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) throws SyntaxException {
        checkDepth(depth);
        pos++;
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipWhitespace();
            list.add(value(depth));
            skipWhitespace();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == ']') {
                pos++;
                return list;
            } else {
                throw new SyntaxException(pos, "unexpected " + describe() + ", expected ',' or ']'");
            }
        }
    }

    private void checkDepth(int depth) throws SyntaxException {
        if (depth > maxDepth) {
            throw new SyntaxException(pos, "nesting deeper than " + maxDepth + " levels");
        }
    }

    private String string() throws SyntaxException {
        pos++; // opening quote
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw new SyntaxException(pos, "unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw new SyntaxException(pos - 1, String.format("unescaped control character U+%04X in a string", (int) c));
            }
            if (c == '\\') {
                if (pos >= text.length()) {
                    throw new SyntaxException(pos, "unterminated escape");
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        char u = hex4();
                        if (Character.isHighSurrogate(u)) {
                            if (!text.startsWith("\\u", pos)) {
                                throw new SyntaxException(pos, "high surrogate not followed by a \\u low surrogate");
                            }
                            pos += 2;
                            char low = hex4();
                            if (!Character.isLowSurrogate(low)) {
                                throw new SyntaxException(pos - 6, "high surrogate followed by a non-low surrogate");
                            }
                            b.append(u).append(low);
                        } else if (Character.isLowSurrogate(u)) {
                            throw new SyntaxException(pos - 6, "unpaired low surrogate");
                        } else {
                            b.append(u);
                        }
                    }
                    default -> throw new SyntaxException(pos - 1, "invalid escape \\" + e);
                }
            } else if (Character.isSurrogate(c)) {
                // A Java String from a strict UTF-8 decoder has paired surrogates only; check anyway.
                if (!Character.isHighSurrogate(c) || pos >= text.length() || !Character.isLowSurrogate(text.charAt(pos))) {
                    throw new SyntaxException(pos - 1, "unpaired surrogate in a string");
                }
                b.append(c).append(text.charAt(pos++));
            } else {
                b.append(c);
            }
        }
    }

    private char hex4() throws SyntaxException {
        if (pos + 4 > text.length()) {
            throw new SyntaxException(pos, "truncated \\u escape");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(pos + i), 16);
            if (d < 0 || text.charAt(pos + i) > 'f') {
                throw new SyntaxException(pos + i, "invalid hex digit in a \\u escape");
            }
            v = v << 4 | d;
        }
        pos += 4;
        return (char) v;
    }

    private Object number() throws SyntaxException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) {
                throw new SyntaxException(pos, "leading zero in a number");
            }
        } else if (isDigit(peek())) {
            skipDigits();
        } else {
            throw new SyntaxException(pos, "expected a digit");
        }
        boolean integer = true;
        if (peek() == '.') {
            integer = false;
            pos++;
            if (!isDigit(peek())) {
                throw new SyntaxException(pos, "expected a digit after the decimal point");
            }
            skipDigits();
        }
        if (peek() == 'e' || peek() == 'E') {
            integer = false;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw new SyntaxException(pos, "expected a digit in the exponent");
            }
            skipDigits();
        }
        if (pos - start > MAX_NUMBER_CHARS) {
            throw new SyntaxException(start, "number literal longer than " + MAX_NUMBER_CHARS + " characters");
        }
        String literal = text.substring(start, pos);
        if (integer) {
            BigInteger big = new BigInteger(literal);
            return big.bitLength() < 64 ? (Object) big.longValue() : big;
        }
        double d = Double.parseDouble(literal);
        if (Double.isInfinite(d)) {
            throw new SyntaxException(start, "number " + literal + " is beyond the double range");
        }
        return d;
    }

    private void skipDigits() {
        while (isDigit(peek())) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private Object literal(String word, Object value) throws SyntaxException {
        if (!text.startsWith(word, pos)) {
            throw new SyntaxException(pos, "unexpected " + describe() + ", expected a value");
        }
        pos += word.length();
        return value;
    }

    private void expect(char c) throws SyntaxException {
        if (peek() != c) {
            throw new SyntaxException(pos, "unexpected " + describe() + ", expected '" + c + "'");
        }
        pos++;
    }

    /** The current character, or U+FFFF at the end (never valid JSON at any position where it is tested). */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\uFFFF';
    }

    private String describe() {
        if (pos >= text.length()) {
            return "end of text";
        }
        char c = text.charAt(pos);
        return c >= 0x20 && c < 0x7F ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }
}
