package io.paywatch.jobs.ingest;

/** Why an input record was dead-lettered. Wire names are stable: receivers filter on them. */
public enum Rejection {
    /** Not JSON at all, or JSON cut short. */
    INVALID_JSON("invalid_json"),
    /** JSON, but not an object. */
    NOT_AN_OBJECT("not_an_object"),
    /** The same field twice in one object: which one is meant is ambiguous. */
    DUPLICATE_FIELD("duplicate_field"),
    MISSING_FIELD("missing_field"),
    WRONG_TYPE("wrong_type"),
    /** Right type, value outside the contract (unknown kind or status, too long, negative). */
    INVALID_VALUE("invalid_value"),
    INVALID_EVENT_TIME("invalid_event_time"),
    /** Larger than the maximum record size. */
    TOO_LARGE("too_large"),
    /** Behind the watermark: too late for the windows it belongs to. */
    LATE("late"),
    /** A control-topic message that cannot be applied (names the key, like a rules file error). */
    BAD_CONTROL("invalid_control");

    private final String wireName;

    Rejection(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
