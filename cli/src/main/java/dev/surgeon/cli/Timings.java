package dev.surgeon.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/** Wall-clock seconds per stage of a command, in the order the stages ran, for reports. */
final class Timings {
    private final long start = System.nanoTime();
    private long last = start;
    private final Map<String, Double> seconds = new LinkedHashMap<>();

    /** Records the time since the previous lap (or the start) as {@code stage} and returns it in seconds. */
    double lap(String stage) {
        long now = System.nanoTime();
        double s = (now - last) / 1e9;
        seconds.merge(stage, s, Double::sum);
        last = now;
        return s;
    }

    /** The stages so far plus {@code total} (seconds since construction). */
    Map<String, Double> withTotal() {
        Map<String, Double> m = new LinkedHashMap<>(seconds);
        m.put("total", (System.nanoTime() - start) / 1e9);
        return m;
    }
}
