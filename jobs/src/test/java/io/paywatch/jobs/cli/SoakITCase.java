package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.testing.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak of {@code ./paywatch bench --only soak}, for two minutes on the shared broker: the job
 * keeps up, checkpoints, pages, and once it is stopped it has left nothing behind — no thread (its
 * schedulers and timers among them: webhook retries, Kafka clients, Flink's), no open file.
 */
class SoakITCase {
    @TempDir
    Path dir;

    @Test
    void twoMinutesOfRunLeaveNoThreadAndNoOpenFileBehind() throws Exception {
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(report, true, StandardCharsets.UTF_8);
        Soak.Result r = Soak.run(TestServices.kafka(), 100, 120_000, 15_000, dir, out);
        String printed = report.toString(StandardCharsets.UTF_8);
        System.out.print(printed); // the table, for whoever reads the test's output

        assertThat(r.samples).hasSizeGreaterThanOrEqualTo(7);
        assertThat(printed).containsPattern("soak: slopes after the first \\w+: heap [+-]");
        // it ran: records went in, checkpoints were taken, the consumer kept up, pages went out
        assertThat(r.recordsProduced).isGreaterThan(10_000);
        Soak.Sample last = r.samples.get(r.samples.size() - 1);
        assertThat(last.checkpointBytes).isPositive();
        assertThat(last.consumerLag).as("records not yet committed: at most ~2 checkpoint intervals of traffic")
                .isLessThan(r.recordsProduced / 4);
        assertThat(r.webhookPages).isPositive();
        // and it left nothing behind
        assertThat(r.threadsLeft).as("threads still alive after the job stopped").isEmpty();
        assertThat(r.openFilesAfter).as("open files after the job stopped")
                .isLessThanOrEqualTo(r.openFilesBefore + 5);
    }
}
