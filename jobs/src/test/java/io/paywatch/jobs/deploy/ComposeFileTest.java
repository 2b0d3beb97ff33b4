package io.paywatch.jobs.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.testing.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * There is no Docker engine here: the compose file is checked for structure instead. It parses,
 * every service has a pinned image, every file it mounts from the repository exists (build
 * outputs aside), dependencies name real services, and the ports are the README's.
 */
class ComposeFileTest {
    private static final Path ROOT = TestServices.scripts().getParent();

    @SuppressWarnings("unchecked")
    @Test
    void composeFileIsComplete() throws Exception {
        Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        assertThat(services).containsKeys("kafka", "jobmanager", "taskmanager", "paywatch", "influxdb",
                "grafana", "traffic", "webhook-receiver");
        Map<String, Object> volumes = (Map<String, Object>) compose.get("volumes");
        String readme = Files.readString(ROOT.resolve("README.md"));
        for (Map.Entry<String, Map<String, Object>> e : services.entrySet()) {
            Map<String, Object> svc = e.getValue();
            String name = e.getKey();
            assertThat(svc.containsKey("image") || svc.containsKey("build")).as(name).isTrue();
            if (svc.containsKey("image")) {
                String image = (String) svc.get("image");
                assertThat(image).as("%s: pinned version", name).contains(":").doesNotEndWith(":latest");
            }
            for (Object v : (List<Object>) svc.getOrDefault("volumes", List.of())) {
                String source = String.valueOf(v).split(":")[0];
                if (source.startsWith("./")) {
                    if (!source.startsWith("./jobs/target/")) { // built by mvn package first
                        assertThat(ROOT.resolve(source.substring(2))).as("%s mounts %s", name, source).exists();
                    }
                } else {
                    assertThat(volumes).as("%s: named volume %s", name, source).containsKey(source);
                }
            }
            Object deps = svc.get("depends_on");
            if (deps instanceof Map) {
                assertThat(services).containsKeys(((Map<String, Object>) deps).keySet().toArray(new String[0]));
            }
            for (Object port : (List<Object>) svc.getOrDefault("ports", List.of())) {
                String host = String.valueOf(port).split(":")[0];
                assertThat(readme).as("README names port %s of %s", host, name).contains(host);
            }
        }
        // long-running services have healthchecks
        for (String s : List.of("kafka", "jobmanager", "influxdb", "grafana", "webhook-receiver")) {
            assertThat(services.get(s)).as(s).containsKey("healthcheck");
        }
        // Grafana gets the datasource and the boards this repository ships
        assertThat(services.get("grafana").get("volumes").toString())
                .contains("./grafana/provisioning").contains("./grafana/dashboards");
        assertThat(ROOT.resolve("grafana/provisioning/datasources/paywatch-influxdb.yaml")).exists();
        assertThat(ROOT.resolve("grafana/provisioning/dashboards/paywatch.yaml")).exists();
    }
}
