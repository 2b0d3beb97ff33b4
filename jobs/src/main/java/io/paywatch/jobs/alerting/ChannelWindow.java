package io.paywatch.jobs.alerting;

/**
 * One channel's window at one evaluation, as the channel rate operator measured it: what failover
 * advice compares channels by. A few per channel and evaluation, not per payment.
 */
public class ChannelWindow {
    public String channel;
    /** Evaluation time: the window's end (event time). */
    public long time;
    public long windowMs;
    public long total;
    public long failed;

    public ChannelWindow() {}

    public ChannelWindow(String channel, long time, long windowMs, long total, long failed) {
        this.channel = channel;
        this.time = time;
        this.windowMs = windowMs;
        this.total = total;
        this.failed = failed;
    }

    public double successRate() {
        return total == 0 ? 0.0 : (double) (total - failed) / total;
    }
}
