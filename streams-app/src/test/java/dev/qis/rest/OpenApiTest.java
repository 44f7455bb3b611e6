package dev.qis.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The OpenAPI document is hand-written: it must list exactly the router's routes, methods and query parameters. */
class OpenApiTest {
    private final JsonNode doc = read();

    private static JsonNode read() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(OperationsRoutes.openApi());
        } catch (Exception e) {
            throw new AssertionError("openapi.yaml does not parse", e);
        }
    }

    private static Iterable<Route> routes() {
        return QueryApi.routes(new QueryRoutes(null),
                new OperationsRoutes(() -> null, null, null), new ConsoleRoutes(new SimulationFeed()));
    }

    @Test
    void isOpenApi31() {
        assertEquals("3.1.0", doc.path("openapi").asText());
    }

    @Test
    void documentsExactlyTheRoutesOfTheRouter() {
        Set<String> inRouter = new TreeSet<>();
        for (Route r : routes()) {
            inRouter.add(r.method() + " " + r.template());
        }
        Set<String> inDoc = new TreeSet<>();
        for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
            path.getValue().fieldNames().forEachRemaining(m -> inDoc.add(m.toUpperCase() + " " + path.getKey()));
        }
        assertEquals(inRouter, inDoc);
    }

    @Test
    void documentsExactlyTheQueryParametersOfEachRoute() {
        for (Route r : routes()) {
            JsonNode op = doc.path("paths").path(r.template()).path(r.method().toLowerCase());
            Set<String> documented = new TreeSet<>();
            for (JsonNode p : op.path("parameters")) {
                JsonNode param = p.has("$ref") ? resolve(p.get("$ref").asText()) : p;
                if ("query".equals(param.path("in").asText())) {
                    documented.add(param.path("name").asText());
                }
            }
            assertEquals(new TreeSet<>(r.params()), documented, "query parameters of " + r.template());
        }
    }

    @Test
    void documentsTheBearerTokenWhereTheServerAsksForIt() {
        assertEquals("bearer", doc.path("components").path("securitySchemes").path("bearerAuth").path("scheme").asText());
        for (Route r : routes()) {
            JsonNode op = doc.path("paths").path(r.template()).path(r.method().toLowerCase());
            boolean open = BearerAuth.ALWAYS_OPEN.contains(r.template());
            assertEquals(!open, op.path("responses").has("401"), "a 401 documented for " + r.template());
            assertEquals(open, op.has("security") && op.path("security").isEmpty(),
                    "no security requirement on the open route " + r.template());
        }
    }

    private JsonNode resolve(String ref) {
        JsonNode node = doc;
        for (String part : ref.substring(2).split("/")) {
            node = node.path(part);
        }
        return node;
    }
}
