package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded run's output files are put in one canonical order, so that the same input gives
 * byte-identical files at any parallelism. The order is defined here as the comparators that
 * first defined it (a key computed at every comparison); the sort computes each key once and
 * must give exactly the same bytes.
 */
class OutputFilesTest {
    private static final Comparator<String> ALERTS = Comparator.comparing(OutputFiles::alertKey);
    private static final Comparator<String> METRICS = Comparator.comparing((String l) -> OutputFiles.lineProtocolTime(l))
            .thenComparing(Comparator.naturalOrder());
    private static final Comparator<String> DEAD_LETTERS = Comparator.comparing(OutputFiles::sourceKey)
            .thenComparing(Comparator.naturalOrder());

    @TempDir
    Path dir;

    @Test
    void eachFileIsSortedIntoTheOrderItsComparatorDefines() throws Exception {
        Random random = new Random(7);
        List<String> alerts = new ArrayList<>();
        List<String> metrics = new ArrayList<>();
        List<String> deadLetters = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            // U+FF21 sorts after the emoji's surrogates as a string, before it as UTF-8 bytes
            String id = "m" + random.nextInt(40) + new String[] {"", "", "", "", "", "", "-é€😀", "-😀", "-Ａ"}[random.nextInt(9)];
            // few distinct times: ties decided by the rest of the line
            String time = "2026-11-23T10:0" + random.nextInt(6) + ":00Z";
            alerts.add("{\"alert_id\":\"" + id + "\",\"status\":\"" + (random.nextBoolean() ? "firing" : "resolved")
                    + "\",\"transition_at\":\"" + time + "\",\"n\":" + random.nextInt(3) + "}");
            metrics.add("paywatch_rate,merchant_id=" + id + " total=" + random.nextInt(5) + "i "
                    + (random.nextInt(7) == 0 ? "not-a-time" : String.valueOf(1_795_400_000_000L + 10_000L * random.nextInt(30))));
            deadLetters.add("{\"source\":\"" + (random.nextBoolean() ? "a.jsonl:" : "events-" + random.nextInt(3) + "@")
                    + random.nextInt(200) + "\",\"reason\":\"r" + random.nextInt(4) + "\"}");
        }
        OutputFiles files = new OutputFiles(write("alerts.jsonl", alerts), write("metrics.lp", metrics),
                write("dead.jsonl", deadLetters));

        files.sortForReproducibility();

        assertThat(read("alerts.jsonl")).isEqualTo(sorted(alerts, ALERTS));
        assertThat(read("metrics.lp")).isEqualTo(sorted(metrics, METRICS));
        assertThat(read("dead.jsonl")).isEqualTo(sorted(deadLetters, DEAD_LETTERS));
        // the summary's counts come from the sort, the same as counting the lines
        assertThat(files.describe(List.of())).containsExactly(
                "alerts: " + dir.resolve("alerts.jsonl") + " (3000 lines)",
                "metrics: " + dir.resolve("metrics.lp") + " (3000 lines)",
                "dead letters: " + dir.resolve("dead.jsonl") + " (3000 lines)");
        assertThat(new OutputFiles(null, files.metrics, null).describe(List.of()))
                .containsExactly("metrics: " + dir.resolve("metrics.lp") + " (3000 lines)");
        assertThat(files.describe(List.of(dir.resolve("metrics.lp")))).hasSize(2);
    }

    @Test
    void filesWithEveryLineEndingAndNoFinalNewlineGiveTheBytesTheComparatorsOrderGives() throws Exception {
        Random random = new Random(11);
        String[] ends = {"\n", "\r\n", "\r", "\n\n", "\r\n\r\n"};
        for (long largestSortedWhole : new long[] {OutputFiles.LARGEST_SORTED_WHOLE, 0}) {
            StringBuilder metrics = new StringBuilder();
            StringBuilder deadLetters = new StringBuilder();
            for (int i = 0; i < 500; i++) {
                String end = ends[random.nextInt(ends.length)];
                metrics.append("paywatch_rate,merchant_id=m").append(random.nextInt(9))
                        .append(new String[] {"", "", "", "é", "😀", "Ａ"}[random.nextInt(6)]).append(" total=1i ")
                        .append(1_795_400_000_000L + 10_000L * random.nextInt(4)).append(end);
                deadLetters.append("{\"source\":\"a.jsonl:").append(random.nextInt(50)).append("\"}").append(end);
            }
            metrics.append("paywatch_rate,merchant_id=last total=1i 1"); // no final newline
            Path m = dir.resolve("m-" + largestSortedWhole + ".lp");
            Path d = dir.resolve("d-" + largestSortedWhole + ".jsonl");
            Files.writeString(m, metrics, StandardCharsets.UTF_8);
            Files.writeString(d, deadLetters, StandardCharsets.UTF_8);
            // what the first implementation wrote: readAllLines, sort, Files.write
            String expectedMetrics = sorted(Files.readAllLines(m), METRICS);
            String expectedDeadLetters = sorted(Files.readAllLines(d), DEAD_LETTERS);

            new OutputFiles(null, m.toString(), d.toString()).sortForReproducibility(largestSortedWhole);

            assertThat(Files.readString(m)).as("read whole: %s", largestSortedWhole > 0).isEqualTo(expectedMetrics);
            assertThat(Files.readString(d)).isEqualTo(expectedDeadLetters);
        }
    }

    @Test
    void linesAreSplitAsAReaderSplitsThem() throws Exception {
        for (String text : new String[] {"", "a", "a\n", "a\nb", "a\r\nb\r\n", "a\rb\r", "\n\nx\n", "é€\r\n😀",
            "a\r\r\nb", "\r"}) {
            List<String> expected = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new StringReader(text))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    expected.add(l);
                }
            }
            assertThat(OutputFiles.lines(text.getBytes(StandardCharsets.UTF_8))).as(text).isEqualTo(expected);
        }
    }

    @Test
    void aMissingFileIsLeftMissing() throws Exception {
        new OutputFiles(dir.resolve("none.jsonl").toString(), null, null).sortForReproducibility();
        assertThat(dir.resolve("none.jsonl")).doesNotExist();
    }

    private String write(String name, List<String> lines) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, lines, StandardCharsets.UTF_8);
        return p.toString();
    }

    /** The file's bytes, as text. */
    private String read(String name) throws Exception {
        return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
    }

    /** The file as the comparator orders it: every line ends in a newline, the last one too. */
    private static String sorted(List<String> lines, Comparator<String> order) {
        List<String> copy = new ArrayList<>(lines);
        copy.sort(order);
        return String.join("\n", copy) + "\n";
    }
}
