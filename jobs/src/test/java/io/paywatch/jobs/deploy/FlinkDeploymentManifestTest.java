package io.paywatch.jobs.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.paywatch.jobs.testing.TestServices;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * deploy/flink-deployment.yaml against the Flink Kubernetes Operator's own CRD schema (the
 * openAPIV3Schema of flink-kubernetes-operator-api 1.10.0, as Maven Central serves it here),
 * with a JSON-schema validator. As Kubernetes does with a structural schema, a field the schema
 * does not know is an error here (Kubernetes would silently drop it: a typo would be lost).
 *
 * <p>One flaw worked around: operator 1.10's CRD predates Flink 2 ({@code flinkVersion} is an enum
 * of v1_13…v1_20), while PayWatch needs Flink 2.1 and so operator 1.12 or later, whose CRD adds
 * {@code v2_1}. That enum is widened by exactly that value; everything else is the served schema.
 */
class FlinkDeploymentManifestTest {
    private static final Path ROOT = TestServices.scripts().getParent();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode crdSchema() throws Exception {
        try (InputStream in = FlinkDeploymentManifestTest.class.getResourceAsStream(
                "/META-INF/fabric8/flinkdeployments.flink.apache.org-v1beta1.yml")) {
            assertThat(in).as("the operator's CRD on the test class path").isNotNull();
            JsonNode crd = YAML.readTree(in);
            JsonNode schema = crd.path("spec").path("validation").path("openAPIV3Schema");
            if (schema.isMissingNode()) {
                schema = crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
            }
            assertThat(schema.isObject()).isTrue();
            return schema;
        }
    }

    /** Structural-schema semantics: objects with declared properties accept no others. */
    private static void closeObjects(JsonNode node) {
        if (node instanceof ObjectNode o) {
            if (o.has("properties") && !o.has("additionalProperties")
                    && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                o.put("additionalProperties", false);
            }
            for (Iterator<JsonNode> it = o.elements(); it.hasNext();) {
                closeObjects(it.next());
            }
        } else if (node != null && node.isArray()) {
            node.forEach(FlinkDeploymentManifestTest::closeObjects);
        }
    }

    private static Set<String> errors(JsonNode schema, JsonNode manifest) {
        JsonSchema s = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema);
        return s.validate(manifest).stream().map(ValidationMessage::getMessage).collect(Collectors.toSet());
    }

    private static JsonNode schemaForFlink2() throws Exception {
        JsonNode schema = crdSchema();
        closeObjects(schema);
        ((com.fasterxml.jackson.databind.node.ArrayNode) schema.path("properties").path("spec").path("properties")
                .path("flinkVersion").path("enum")).add("v2_1");
        // apiVersion, kind and metadata are Kubernetes', not in the CRD's schema
        ((ObjectNode) schema).remove("additionalProperties");
        return schema;
    }

    @Test
    void theManifestIsAValidFlinkDeploymentForTheOperatorsSchema() throws Exception {
        JsonNode manifest = YAML.readTree(Files.readString(ROOT.resolve("deploy/flink-deployment.yaml")));
        assertThat(manifest.path("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
        assertThat(manifest.path("kind").asText()).isEqualTo("FlinkDeployment");
        assertThat(errors(schemaForFlink2(), manifest)).isEmpty();

        JsonNode spec = manifest.path("spec");
        JsonNode conf = spec.path("flinkConfiguration");
        JsonNode job = spec.path("job");
        // the job jar and the command line of the contract
        assertThat(job.path("entryClass").asText()).isEqualTo("io.paywatch.jobs.cli.PayWatchCli");
        List<String> args = new ArrayList<>();
        job.path("args").forEach(a -> args.add(a.asText()));
        assertThat(args.get(0)).isEqualTo("run");
        assertThat(args).contains("--bootstrap-servers", "--checkpoint-dir", "--control-secret-env",
                "--webhook-secret-env", "--influx-token-env");
        // RocksDB on a mounted volume
        assertThat(conf.path("state.backend.type").asText()).isEqualTo("rocksdb");
        String localDir = conf.path("state.backend.rocksdb.localdir").asText();
        JsonNode container = spec.path("podTemplate").path("spec").path("containers").get(0);
        assertThat(container.path("name").asText()).isEqualTo("flink-main-container");
        assertThat(container.path("volumeMounts").findValuesAsText("mountPath")).contains(localDir);
        // checkpoints and savepoints to one URI, the same the job is given
        String checkpoints = conf.path("execution.checkpointing.dir").asText();
        assertThat(checkpoints).contains("://");
        assertThat(args.get(args.indexOf("--checkpoint-dir") + 1)).isEqualTo(checkpoints);
        assertThat(conf.path("execution.checkpointing.savepoint-dir").asText()).contains("://");
        assertThat(job.path("upgradeMode").asText()).isEqualTo("savepoint");
        // secrets from Kubernetes secrets, named by the --…-env flags; never literal values
        List<String> fromSecrets = new ArrayList<>();
        container.path("env").forEach(e -> {
            assertThat(e.has("value")).as(e.toString()).isFalse();
            assertThat(e.path("valueFrom").path("secretKeyRef").path("name").asText()).isNotEmpty();
            fromSecrets.add(e.path("name").asText());
        });
        for (String flag : List.of("--control-secret-env", "--webhook-secret-env", "--influx-token-env")) {
            assertThat(fromSecrets).contains(args.get(args.indexOf(flag) + 1));
        }
    }

    /** The check can fail: a misspelled key, a wrong type, an unknown upgrade mode. */
    @Test
    void theSchemaCheckCatchesTyposAndWrongValues() throws Exception {
        JsonNode schema = schemaForFlink2();
        JsonNode good = YAML.readTree(Files.readString(ROOT.resolve("deploy/flink-deployment.yaml")));
        ObjectNode typo = good.deepCopy();
        ((ObjectNode) typo.path("spec").path("job")).set("upgradMode", typo.path("spec").path("job").path("upgradeMode"));
        assertThat(errors(schema, typo)).anyMatch(m -> m.contains("upgradMode"));
        ObjectNode badMode = good.deepCopy();
        ((ObjectNode) badMode.path("spec").path("job")).put("upgradeMode", "rolling");
        assertThat(errors(schema, badMode)).anyMatch(m -> m.contains("upgradeMode"));
        ObjectNode badType = good.deepCopy();
        ((ObjectNode) badType.path("spec").path("job")).put("parallelism", "six");
        assertThat(errors(schema, badType)).anyMatch(m -> m.contains("parallelism"));
        ObjectNode oldFlink = good.deepCopy();
        ((ObjectNode) oldFlink.path("spec")).put("flinkVersion", "v3_0");
        assertThat(errors(schema, oldFlink)).anyMatch(m -> m.contains("flinkVersion"));
    }
}
