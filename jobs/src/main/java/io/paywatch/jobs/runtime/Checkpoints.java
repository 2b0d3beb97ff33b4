package io.paywatch.jobs.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds the latest completed checkpoint under a checkpoint directory ({@code JOB/chk-N/_metadata}). */
public final class Checkpoints {
    private Checkpoints() {}

    /** The latest {@code chk-N} directory with a {@code _metadata}, or null; unreadable: UncheckedIOException. */
    public static Path latest(Path dir) {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> jobs = Files.list(dir)) {
            Optional<Path> best = jobs.filter(Files::isDirectory)
                    .flatMap(Checkpoints::checkpointsOf)
                    .filter(c -> Files.isRegularFile(c.resolve("_metadata")))
                    .max(Comparator.comparingLong(Checkpoints::modified));
            return best.orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Stream<Path> checkpointsOf(Path jobDir) {
        try {
            return Files.list(jobDir).filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .toList().stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p.resolve("_metadata")).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
