package io.paywatch.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.HashCode;
import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Dedup's event-id fingerprint is MurmurHash3 x64 128 as Guava computes it, on every kind of id. */
class EventIdFingerprintTest {

    private static void assertSameAsGuava(String id) {
        HashCode reference = Hashing.murmur3_128().hashUnencodedChars(id);
        ByteBuffer bytes = ByteBuffer.wrap(reference.asBytes()).order(ByteOrder.LITTLE_ENDIAN);
        EventIdFingerprint f = new EventIdFingerprint().of(id);
        assertThat(f.high).as("high half of %s", id).isEqualTo(bytes.getLong(0));
        assertThat(f.low).as("low half of %s", id).isEqualTo(bytes.getLong(8));
    }

    @Test
    void isGuavasMurmur3Of128BitsForEveryLengthAndKindOfChar() {
        Random random = new Random(11);
        char[] alphabet = "abcXYZ019-_:.ü€\u0000\uffff\ud83d\ude00".toCharArray();
        for (int length = 0; length <= 40; length++) { // every tail length, several 8-char blocks
            for (int k = 0; k < 50; k++) {
                char[] id = new char[length];
                for (int i = 0; i < length; i++) {
                    id[i] = random.nextBoolean() ? alphabet[random.nextInt(alphabet.length)]
                            : (char) random.nextInt(Character.MAX_VALUE + 1);
                }
                assertSameAsGuava(new String(id));
            }
        }
        assertSameAsGuava("e-1-p");
        assertSameAsGuava("5f0c6d2e-8b1a-4c3e-9d7f-0a1b2c3d4e5f");
    }

    @Test
    void theHolderIsRefilledAndIdsThatDifferByOneCharDiffer() {
        EventIdFingerprint f = new EventIdFingerprint();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            f.of("e-" + i + "-p");
            assertThat(seen.add(f.high + "/" + f.low)).isTrue();
        }
        long high = f.of("a").high;
        assertThat(f.of("b").high).isNotEqualTo(high);
        assertThat(f.of("a").high).isEqualTo(high);
    }
}
