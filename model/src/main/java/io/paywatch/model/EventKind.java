package io.paywatch.model;

/** The four kinds of payment event of the contract, with their wire names. */
public enum EventKind {
    PAYMENT("payment"),
    CHARGE("charge"),
    FULFILMENT("fulfilment"),
    REFUND("refund");

    private final String wireName;

    EventKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The kind for a wire name, or null when it is not one of the contract's kinds. */
    public static EventKind fromWire(String name) {
        switch (name) {
            case "payment":
                return PAYMENT;
            case "charge":
                return CHARGE;
            case "fulfilment":
                return FULFILMENT;
            case "refund":
                return REFUND;
            default:
                return null;
        }
    }
}
