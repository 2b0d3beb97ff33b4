package io.paywatch.model;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The return-code catalogue of the contract: code → category, meaning and the merchant's
 * action. Codes not in the catalogue are valid input and fall in {@link Category#UNKNOWN}.
 */
public final class ReturnCodeCatalog {
    static final String RESOURCE = "/paywatch/error-codes.csv";
    private static final String[] HEADER = {
        "code", "category", "meaning_zh", "meaning_en", "payer_message_zh", "payer_message_en",
        "merchant_action"
    };
    static final String UNKNOWN_ACTION =
            "Unknown return code: look it up with the payment platform and add it to the catalogue;"
                    + " treat a sudden rise as a possible system fault.";

    private static final ReturnCodeCatalog DEFAULT = loadDefault();

    private final Map<String, ReturnCode> byCode;

    private ReturnCodeCatalog(Map<String, ReturnCode> byCode) {
        this.byCode = Collections.unmodifiableMap(byCode);
    }

    /** The catalogue shipped with PayWatch (a copy of the contract's error-codes.csv). */
    public static ReturnCodeCatalog defaultCatalog() {
        return DEFAULT;
    }

    public Category categoryOf(String code) {
        ReturnCode rc = byCode.get(code);
        return rc == null ? Category.UNKNOWN : rc.category;
    }

    /** The catalogue entry, or null for an unknown code. */
    public ReturnCode lookup(String code) {
        return byCode.get(code);
    }

    /** What the merchant should do about failures with this code. */
    public String actionFor(String code) {
        ReturnCode rc = byCode.get(code);
        return rc == null ? UNKNOWN_ACTION : rc.merchantAction;
    }

    public String meaningOf(String code) {
        ReturnCode rc = byCode.get(code);
        return rc == null ? "unknown code" : rc.meaningEn;
    }

    public Map<String, ReturnCode> entries() {
        return byCode;
    }

    private static ReturnCodeCatalog loadDefault() {
        try (InputStream in = ReturnCodeCatalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return parse(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses the catalogue's CSV (RFC 4180 quoting). */
    public static ReturnCodeCatalog parse(Reader reader) throws IOException {
        BufferedReader in = new BufferedReader(reader);
        String header = in.readLine();
        if (header == null || !List.of(HEADER).equals(splitCsv(header.strip()))) {
            throw new IllegalArgumentException("error-codes.csv: unexpected header " + header);
        }
        Map<String, ReturnCode> byCode = new LinkedHashMap<>();
        String line;
        int lineNo = 1;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            List<String> f = splitCsv(line);
            if (f.size() > HEADER.length) {
                // the contract's CSV leaves commas unquoted inside its last column
                // (merchant_action of code 101): the last column takes the rest of the line
                List<String> joined = new ArrayList<>(f.subList(0, HEADER.length - 1));
                joined.add(String.join(",", f.subList(HEADER.length - 1, f.size())));
                f = joined;
            }
            if (f.size() != HEADER.length) {
                throw new IllegalArgumentException(
                        "error-codes.csv line " + lineNo + ": expected 7 fields, got " + f.size());
            }
            byCode.put(
                    f.get(0),
                    new ReturnCode(
                            f.get(0),
                            Category.fromWire(f.get(1)),
                            f.get(2),
                            f.get(3),
                            f.get(4),
                            f.get(5),
                            f.get(6)));
        }
        return new ReturnCodeCatalog(byCode);
    }

    static List<String> splitCsv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
