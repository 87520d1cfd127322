package dev.surgeon.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerTeamTest {

    /** Every index runs exactly once per phase, phase after phase, and the caller sees the helpers' plain writes. */
    @Test
    void everyIndexRunsOncePerPhaseAndItsWritesAreVisibleToTheCaller() {
        WorkerTeam team = new WorkerTeam(3, "test-team");
        AtomicIntegerArray runs = new AtomicIntegerArray(3);
        long[] plain = new long[3];
        for (int phase = 1; phase <= 2_000; phase++) {
            int p = phase;
            team.run(i -> {
                runs.incrementAndGet(i);
                plain[i] = p;
            });
            assertArrayEquals(new long[] {phase, phase, phase}, plain, "phase " + phase);
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(2_000, runs.get(i));
        }
    }

    /** A helper's failure reaches the caller after the phase ends, and the team keeps working. */
    @Test
    void aHelpersFailureIsRethrownAndTheTeamStaysUsable() {
        WorkerTeam team = new WorkerTeam(2, "test-team");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> team.run(i -> {
            if (i == 1) {
                throw new IllegalStateException("shard 1 failed");
            }
        }));
        assertEquals("shard 1 failed", e.getMessage());
        int[] seen = new int[2];
        team.run(i -> seen[i]++);
        assertArrayEquals(new int[] {1, 1}, seen);
    }

    /** Helpers idle for more than a second exit; the next phase starts new ones and still runs every index once. */
    @Test
    void helpersThatExitedWhileIdleAreRestartedByTheNextPhase() throws InterruptedException {
        WorkerTeam team = new WorkerTeam(2, "test-idle-team");
        int[] seen = new int[2];
        team.run(i -> seen[i]++);
        Thread.sleep(1_600);
        assertEquals(0, Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("test-idle-team") && t.isAlive()).count(), "the idle helper should have exited");
        team.run(i -> seen[i]++);
        team.run(i -> seen[i]++);
        assertArrayEquals(new int[] {3, 3}, seen);
    }

    /** With fewer parties than threads only the first indices run; the others skip the phase and the team goes on. */
    @Test
    void onlyTheFirstPartiesRunAndTheRestOfTheTeamSkipsThePhase() {
        WorkerTeam team = new WorkerTeam(3, "test-parties-team");
        int[] seen = new int[3];
        for (int phase = 0; phase < 500; phase++) {
            team.run(1 + phase % 3, i -> seen[i]++);
        }
        assertArrayEquals(new int[] {500, 333, 166}, seen);
        assertThrows(IllegalArgumentException.class, () -> team.run(4, i -> { }));
        assertThrows(IllegalArgumentException.class, () -> team.run(0, i -> { }));
    }
}
