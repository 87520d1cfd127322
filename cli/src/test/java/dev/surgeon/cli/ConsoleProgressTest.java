package dev.surgeon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The two faces of the progress display: log lines off a terminal (CI, pipes), a redrawn bar on one. */
class ConsoleProgressTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private ConsoleProgress progress(boolean terminal) {
        return new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), terminal);
    }

    private String err() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void offATerminalItLogsStartQuartersAndTheEndAsPlainLines() {
        ConsoleProgress p = progress(false);
        p.start("training", 100);
        for (int i = 0; i < 100; i++) {
            p.advance(1);
        }
        p.finish();
        List<String> lines = err().lines().toList();
        assertFalse(err().contains("\r"), "no carriage returns in logs");
        assertFalse(err().contains("\033"), "no escape sequences in logs");
        assertEquals(5, lines.size(), err());
        assertTrue(lines.get(0).matches("\\d\\d:\\d\\d:\\d\\d training: started \\(100 steps\\)"), lines.get(0));
        assertTrue(lines.get(1).contains("training: 25/100 (25%)"), lines.get(1));
        assertTrue(lines.get(2).contains("training: 50/100 (50%)"), lines.get(2));
        assertTrue(lines.get(3).contains("training: 75/100 (75%)"), lines.get(3));
        assertTrue(lines.get(4).contains("training: done: 100 steps in"), lines.get(4));
    }

    @Test
    void singleStepStagesRepeatedManyTimesLeaveNoLinesBehind() {
        // OBS's stopping rule runs one curvature pass per deletion: hundreds of one-step stages.
        ConsoleProgress log = progress(false);
        for (int i = 0; i < 50; i++) {
            log.start("curvature", 1);
            log.advance(1);
            log.finish();
        }
        assertEquals("", err(), "off a terminal: no log lines for one-step stages");
        ConsoleProgress bar = progress(true);
        bar.start("curvature", 1);
        bar.advance(1);
        bar.finish();
        assertFalse(err().contains("\n"), "on a terminal: the bar is erased, not kept as a line: " + err());
        assertTrue(err().endsWith("\r\033[K"), err());
    }

    @Test
    void onATerminalItRedrawsOneBarLine() {
        ConsoleProgress p = progress(true);
        p.start("training", 10);
        p.advance(10);
        p.finish();
        assertTrue(err().contains("\r\033[K  training ["), err());
        assertTrue(err().contains("10/10 (100%)"), err());
        assertEquals(1, err().chars().filter(c -> c == '\n').count(), "one line, redrawn in place (\\r), ended once");
    }

    @Test
    void resultLinesGoToStdoutWithoutTearingTheBar() {
        StringWriter out = new StringWriter();
        ConsoleProgress bar = progress(true);
        bar.start("training", 4);
        bar.printAbove(new PrintWriter(out), "row 1");
        assertEquals("row 1" + System.lineSeparator(), out.toString());
        assertTrue(err().contains("\r\033[K"), "the bar was erased and redrawn: " + err());

        bytes.reset();
        StringWriter out2 = new StringWriter();
        ConsoleProgress log = progress(false);
        log.start("training", 4);
        bytes.reset();
        log.printAbove(new PrintWriter(out2), "row 2");
        assertEquals("row 2" + System.lineSeparator(), out2.toString());
        assertEquals("", err(), "nothing on stderr off a terminal");
    }
}
