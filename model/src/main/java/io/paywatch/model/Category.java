package io.paywatch.model;

/** Failure categories of the return-code catalogue. */
public enum Category {
    USER("user", false),
    TIMEOUT("timeout", true),
    SYSTEM("system", true),
    RISK("risk", false),
    UNKNOWN("unknown", true);

    public static final Category[] ALL = values();

    private final String wireName;
    private final boolean systemHealth;

    Category(String wireName, boolean systemHealth) {
        this.wireName = wireName;
        this.systemHealth = systemHealth;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether failures of this category count in {@code system_failure_rate}. */
    public boolean countsAsSystemHealth() {
        return systemHealth;
    }

    public static Category fromWire(String name) {
        for (Category c : ALL) {
            if (c.wireName.equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown category '" + name + "'");
    }
}
