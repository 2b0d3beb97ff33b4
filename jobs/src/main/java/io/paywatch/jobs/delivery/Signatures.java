package io.paywatch.jobs.delivery;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** {@code X-PayWatch-Signature: sha256=<hex HMAC-SHA256 of the body>}. */
public final class Signatures {
    public static final String HEADER = "X-PayWatch-Signature";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Signatures() {}

    public static String sign(String secret, String body) {
        return sign(secret, body.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code sha256=<hex>} of exactly these bytes (a Kafka record's value, say). */
    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] h = mac.doFinal(body);
            char[] out = new char[h.length * 2];
            for (int i = 0; i < h.length; i++) {
                out[2 * i] = HEX[(h[i] >> 4) & 0xf];
                out[2 * i + 1] = HEX[h[i] & 0xf];
            }
            return "sha256=" + new String(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code header} is the signature of {@code body}, compared in constant time. */
    public static boolean verify(String secret, byte[] body, String header) {
        return header != null && java.security.MessageDigest.isEqual(
                sign(secret, body).getBytes(StandardCharsets.US_ASCII),
                header.trim().getBytes(StandardCharsets.UTF_8));
    }
}
