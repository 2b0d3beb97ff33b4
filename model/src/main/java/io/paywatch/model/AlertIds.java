package io.paywatch.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * Deterministic alert ids: a hash of the rule, the scope and the event time at which the
 * incident started. The same incident gets the same id on every replay and at any parallelism;
 * processing time never enters it.
 */
public final class AlertIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private AlertIds() {}

    public static String of(String rule, Map<String, String> sortedScope, long startsAtMillis) {
        StringBuilder key = new StringBuilder(rule).append('|');
        for (Map.Entry<String, String> e : sortedScope.entrySet()) {
            key.append(e.getKey()).append('=').append(e.getValue()).append('|');
        }
        key.append(startsAtMillis);
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256")
                    .digest(key.toString().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        char[] out = new char[20];
        for (int i = 0; i < 10; i++) {
            out[2 * i] = HEX[(digest[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[digest[i] & 0xf];
        }
        return rule + "-" + new String(out);
    }
}
