package dev.surgeon.core.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PatternTest {

    @Test
    void textFormsParseAndRoundTrip() {
        assertEquals(Pattern.UNSTRUCTURED, Pattern.parse("unstructured"));
        assertEquals(new Pattern.NOfM(2, 4), Pattern.parse("nm:keep=2,group=4"));
        assertEquals(new Pattern.NOfM(2, 4), Pattern.parse(" NM:group=4, keep=2 "), "order and case do not matter");
        assertEquals(new Pattern.Blocks(4), Pattern.parse("blocks:4"));
        for (Pattern p : new Pattern[] {Pattern.UNSTRUCTURED, new Pattern.NOfM(1, 8), new Pattern.Blocks(16)}) {
            assertEquals(p, Pattern.parse(p.toString()));
        }
        assertEquals(0.5, new Pattern.NOfM(2, 4).sparsity(), 0);
    }

    @Test
    void malformedOrImpossiblePatternsAreRejectedWithTheAcceptedForms() {
        for (String bad : new String[] {"nm:2:4", "nm:keep=2", "nm:keep=x,group=4", "blocks:", "dense", "nm:keep=2,group=4,size=1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pattern.parse(bad), bad);
            assertTrue(e.getMessage().contains("keep=N,group=M"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pattern.parse("nm:keep=4,group=4"));
        assertTrue(e.getMessage().contains("1 <= N < M"), "N >= M is impossible: " + e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pattern.parse("nm:keep=0,group=4"));
        assertThrows(IllegalArgumentException.class, () -> Pattern.parse("nm:keep=1,group=1"));
        assertThrows(IllegalArgumentException.class, () -> Pattern.parse("blocks:1"));
    }

    @Test
    void targetsParseAndRejectImpossibleSparsities() {
        assertEquals(Target.sparsity(0.9), Target.parse("0.9"));
        assertEquals(Target.sparsity(0.9), Target.parse("90%"));
        assertEquals(Target.count(14), Target.parse("count:14"));
        assertEquals(Target.auto(), Target.parse("auto"));
        assertEquals(new Target.Auto(0.01), Target.parse("auto:0.01"));
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> Target.parse("1"));
        assertTrue(one.getMessage().contains("[0, 1)"), one.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Target.parse("-0.1"));
        assertThrows(IllegalArgumentException.class, () -> Target.parse("1.5"));
        assertThrows(IllegalArgumentException.class, () -> Target.parse("NaN"));
        assertThrows(IllegalArgumentException.class, () -> Target.parse("most"));
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class, () -> Target.count(100).prunedCount(99));
        assertTrue(tooMany.getMessage().contains("only 99"), tooMany.getMessage());
        assertEquals(45, Target.sparsity(0.45).prunedCount(100));
    }
}
