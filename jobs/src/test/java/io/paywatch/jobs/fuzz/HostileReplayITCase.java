package io.paywatch.jobs.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.cli.PayWatchCli;
import io.paywatch.jobs.ingest.BoundedLineReader;
import io.paywatch.jobs.testing.HostileInput;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay file of hostile lines (1 MB lines, NUL bytes, invalid UTF-8, deep nesting, garbage)
 * through the whole job: it finishes, and every line is accounted for as accepted, rejected,
 * duplicate or late, every rejection a dead letter with a reason.
 */
class HostileReplayITCase {
    @TempDir
    Path dir;

    @Test
    void theJobAccountsForEveryHostileLine() throws Exception {
        Path input = dir.resolve("hostile.jsonl");
        HostileInput hostile = new HostileInput(7);
        long lines = 0;
        try (OutputStream out = Files.newOutputStream(input)) {
            for (int i = 0; i < 100_000; i++) {
                byte[] line = HostileInput.oneLine(hostile.next(i % 5_000 == 0 ? 1 << 20 : 2_000));
                if (BoundedLineReader.isBlank(line)) {
                    continue; // blank lines are skipped by design, not records
                }
                out.write(line);
                out.write('\n');
                lines++;
            }
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PayWatchCli.run(new String[] {"replay", "--input", input.toString(),
                "--metrics-out", dir.resolve("m.lp").toString(),
                "--dead-letter-out", dir.resolve("dead.jsonl").toString(),
                "--alerts-out", dir.resolve("alerts.jsonl").toString(), "--quiet"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();

        long[] sums = new long[4];
        for (String m : Files.readAllLines(dir.resolve("m.lp"))) {
            if (m.startsWith("paywatch_input ")) {
                String fields = m.split(" ")[1];
                for (String f : fields.split(",")) {
                    String[] kv = f.split("=");
                    long v = Long.parseLong(kv[1].replace("i", ""));
                    switch (kv[0]) {
                        case "accepted": sums[0] += v; break;
                        case "rejected": sums[1] += v; break;
                        case "duplicates": sums[2] += v; break;
                        default: sums[3] += v;
                    }
                }
            }
        }
        assertThat(sums[0] + sums[1] + sums[2] + sums[3]).isEqualTo(lines);
        assertThat(sums[0]).isPositive();
        List<String> dead = Files.readAllLines(dir.resolve("dead.jsonl"), StandardCharsets.UTF_8);
        assertThat((long) dead.size()).isEqualTo(sums[1] + sums[3]);
        assertThat(dead).allMatch(d -> d.startsWith("{\"reason\":\"") && d.length() < 10_000);
    }
}
