package io.paywatch.jobs.testing;

import io.paywatch.jobs.demo.Scenarios;
import io.paywatch.jobs.demo.ScriptedIncidents;
import io.paywatch.jobs.demo.TrafficGenerator;
import java.util.ArrayList;
import java.util.List;

/** The realistic hour of `./paywatch generate` (seed 42, 2026-11-23T10:00Z), in memory. */
public final class RealisticHour {
    public static final long START = 1_795_428_000_000L; // 2026-11-23T10:00:00Z

    public final List<String> lines = new ArrayList<>();
    public final long malformed;

    public RealisticHour() {
        TrafficGenerator gen = new TrafficGenerator(42, START, Scenarios.HOUR_PAYMENTS_PER_SECOND,
                Scenarios.HOUR_MERCHANTS, Scenarios.realisticHour(START), new TrafficGenerator.Noise());
        for (ScriptedIncidents.Line l : ScriptedIncidents.realisticHour(START)) {
            gen.schedule(l.time, l.json);
        }
        while (gen.peekTime() < START + 3_600_000) {
            lines.add(gen.next());
        }
        malformed = gen.malformedEmitted;
    }
}
