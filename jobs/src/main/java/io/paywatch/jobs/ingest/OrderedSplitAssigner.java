package io.paywatch.jobs.ingest;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.assigners.FileSplitAssigner;

/**
 * Hands out replay files in path order, so that one reader reads them one after another in
 * the same order on every run (Flink's default assigners hand them out in no fixed order, and
 * lateness would then depend on it). Name replay files so that path order is time order.
 */
public class OrderedSplitAssigner implements FileSplitAssigner {
    private final List<FileSourceSplit> splits = new ArrayList<>();

    public OrderedSplitAssigner(Collection<FileSourceSplit> initial) {
        addSplits(initial);
    }

    @Override
    public Optional<FileSourceSplit> getNext(String hostname) {
        return splits.isEmpty() ? Optional.empty() : Optional.of(splits.remove(0));
    }

    @Override
    public void addSplits(Collection<FileSourceSplit> newSplits) {
        splits.addAll(newSplits);
        splits.sort(Comparator.comparing((FileSourceSplit s) -> s.path().toString())
                .thenComparingLong(FileSourceSplit::offset));
    }

    @Override
    public Collection<FileSourceSplit> remainingSplits() {
        return new ArrayList<>(splits);
    }
}
