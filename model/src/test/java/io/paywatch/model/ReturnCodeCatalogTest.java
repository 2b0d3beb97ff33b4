package io.paywatch.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

class ReturnCodeCatalogTest {
    private final ReturnCodeCatalog catalog = ReturnCodeCatalog.defaultCatalog();

    @Test
    void holdsEveryCodeOfTheContractWithItsCategory() {
        assertThat(catalog.entries()).hasSize(11);
        assertThat(catalog.categoryOf("101")).isEqualTo(Category.USER);
        assertThat(catalog.categoryOf("202")).isEqualTo(Category.TIMEOUT);
        assertThat(catalog.categoryOf("203")).isEqualTo(Category.SYSTEM);
        assertThat(catalog.categoryOf("303")).isEqualTo(Category.RISK);
        assertThat(catalog.categoryOf("999")).isEqualTo(Category.UNKNOWN);
        assertThat(catalog.meaningOf("202")).isEqualTo("transaction timed out or not confirmed");
        assertThat(catalog.lookup("301").payerMessageEn)
                .isEqualTo("For your security, this payment needs identity verification. Please complete it or contact support.");
    }

    @Test
    void theUnquotedCommaInCode101sActionStaysInTheAction() {
        // the contract's CSV does not quote this field although it holds a comma
        assertThat(catalog.actionFor("101")).isEqualTo("Notify the payer promptly and offer another payment"
                + " method; if payers report a normal balance, contact the platform to rule out a system"
                + " fault or account restriction.");
    }

    @Test
    void theShippedCopyIsTheContractsCatalogue() throws Exception {
        Path contract = Paths.get("../../shared/contract/error-codes.csv");
        if (!Files.isRegularFile(contract)) {
            return; // outside the workspace (a user's clone): nothing to compare with
        }
        ReturnCodeCatalog fromContract = ReturnCodeCatalog.parse(new StringReader(Files.readString(contract)));
        assertThat(fromContract.entries().keySet()).isEqualTo(catalog.entries().keySet());
        for (String code : catalog.entries().keySet()) {
            assertThat(fromContract.actionFor(code)).isEqualTo(catalog.actionFor(code));
            assertThat(fromContract.categoryOf(code)).isEqualTo(catalog.categoryOf(code));
        }
    }

    @Test
    void alertIdsAreDeterministicAndDependOnRuleScopeAndStart() {
        java.util.TreeMap<String, String> scope = new java.util.TreeMap<>(java.util.Map.of("merchant_id", "m-1"));
        String id = AlertIds.of("failure_rate", scope, 1000);
        assertThat(AlertIds.of("failure_rate", scope, 1000)).isEqualTo(id);
        assertThat(AlertIds.of("failure_rate", scope, 2000)).isNotEqualTo(id);
        assertThat(AlertIds.of("timeout_burst", scope, 1000)).isNotEqualTo(id);
        assertThat(id).matches("failure_rate-[0-9a-f]{20}");
    }
}
