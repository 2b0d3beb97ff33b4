package io.paywatch.jobs.control;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Replay protection for signed rule changes: each {@code change_id} applies once. A signed record
 * stays valid forever, so without this whoever can write to the control topic could send an old
 * signed change again (a threshold since reverted); its {@code change_id} is inside the signed
 * value, so a replay cannot rename itself. Rule changes are human actions (a few a day): every id
 * applied is kept, in the job's checkpoints.
 */
public final class AppliedChangeIds {
    private final Set<String> ids = new LinkedHashSet<>();

    /** True the first time {@code changeId} is offered (and it is then recorded); false for a replay. */
    public boolean first(String changeId) {
        return ids.add(changeId);
    }

    /** Why a replay is refused, for its dead letter and the log. */
    public static String replayDetail(String changeId) {
        return "change_id " + changeId + " was applied before: a signed change applies once (a replay"
                + " changes nothing; to apply the same settings again, sign them with a new change_id)";
    }

    public List<String> ids() {
        return new ArrayList<>(ids);
    }

    public void restore(Iterable<String> applied) {
        applied.forEach(ids::add);
    }
}
