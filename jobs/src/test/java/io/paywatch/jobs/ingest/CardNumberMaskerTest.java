package io.paywatch.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CardNumberMaskerTest {
    @Test
    void masksLuhnValidNumbersOf13To19DigitsKeepingTheLastFour() {
        assertThat(CardNumberMasker.mask("4111111111111111")).isEqualTo("************1111");
        assertThat(CardNumberMasker.mask("pan=5500005555555559;")).isEqualTo("pan=************5559;");
        assertThat(CardNumberMasker.mask("4222222222222")).isEqualTo("*********2222"); // 13 digits
        assertThat(CardNumberMasker.mask("6011000990139424")).isEqualTo("************9424");
    }

    @Test
    void masksGroupedNumbers() {
        assertThat(CardNumberMasker.mask("card 4012 8888 8888 1881 declined"))
                .isEqualTo("card **** **** **** 1881 declined");
        assertThat(CardNumberMasker.mask("4111-1111-1111-1111")).isEqualTo("****-****-****-1111");
    }

    @Test
    void leavesOtherNumbersAlone() {
        assertThat(CardNumberMasker.mask("4111111111111112")).isEqualTo("4111111111111112"); // Luhn fails
        assertThat(CardNumberMasker.mask("order 123456789012")).isEqualTo("order 123456789012"); // 12 digits
        assertThat(CardNumberMasker.mask("1795428002410")).isEqualTo("1795428002410"); // an epoch ms, not Luhn
        String plain = "nothing to see";
        assertThat(CardNumberMasker.mask(plain)).isSameAs(plain);
        assertThat(CardNumberMasker.mask(null)).isNull();
    }

    @Test
    void digitRunsLongerThanACardNumberAreNotCardNumbers() {
        assertThat(CardNumberMasker.mask("12345678901234567890123")).isEqualTo("12345678901234567890123");
        assertThat(CardNumberMasker.mask("a 4111111111111111 and 5500005555555559"))
                .isEqualTo("a ************1111 and ************5559");
    }
}
