package dev.qis.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A client of the part of the Schema Registry REST API this system needs, which Confluent Schema Registry,
 * Apicurio Registry ({@code /apis/ccompat/v7}) and Karapace all serve: register a schema under a subject, read a
 * schema by id, list a subject's versions, read and set a subject's compatibility. Schemas read by id are cached
 * (an id never changes its schema). Thread-safe.
 */
public final class SchemaRegistryClient {
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistrySettings settings;
    private final HttpClient http;
    private final Optional<String> authorization;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    public SchemaRegistryClient(RegistrySettings settings) {
        this.settings = settings;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(settings.connectTimeout());
        settings.ssl().ifPresent(builder::sslContext);
        this.http = builder.build();
        this.authorization = settings.userInfo().map(u -> "Basic "
                + Base64.getEncoder().encodeToString(u.getBytes(StandardCharsets.UTF_8)));
    }

    public RegistrySettings settings() {
        return settings;
    }

    /** {@code POST /subjects/{subject}/versions}: the id of {@code schema} under {@code subject}, registering it if new. */
    public int register(String subject, Schema schema) {
        ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
        JsonNode answer = call("POST", "/subjects/" + encode(subject) + "/versions", body);
        JsonNode id = answer.get("id");
        if (id == null || !id.canConvertToInt()) {
            throw badAnswer("POST /subjects/" + subject + "/versions", answer);
        }
        return id.intValue();
    }

    /** {@code GET /schemas/ids/{id}}: the schema with this id (cached). */
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = call("GET", "/schemas/ids/" + id, null);
        JsonNode text = answer.get("schema");
        if (text == null || !text.isTextual()) {
            throw badAnswer("GET /schemas/ids/" + id, answer);
        }
        JsonNode type = answer.get("schemaType");
        if (type != null && !"AVRO".equals(type.asText())) {
            throw new RegistryException(RegistryException.Reason.REGISTRY_ERROR, 0, "schema id " + id + " in "
                    + settings.urls() + " is a " + type.asText() + " schema, not Avro", null);
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(text.asText());
        } catch (RuntimeException e) {
            throw new RegistryException(RegistryException.Reason.REGISTRY_ERROR, 0, "schema id " + id + " in "
                    + settings.urls() + " is not a valid Avro schema: " + e.getMessage(), e);
        }
        schemasById.put(id, schema);
        return schema;
    }

    /** {@code GET /subjects/{subject}/versions}: the subject's versions, empty when the subject does not exist. */
    public List<Integer> versions(String subject) {
        try {
            JsonNode answer = call("GET", "/subjects/" + encode(subject) + "/versions", null);
            List<Integer> versions = new ArrayList<>();
            answer.forEach(v -> versions.add(v.intValue()));
            return versions;
        } catch (RegistryException e) {
            if (e.reason() == RegistryException.Reason.NOT_FOUND) {
                return List.of();
            }
            throw e;
        }
    }

    /** {@code PUT /config/{subject}}: sets the subject's compatibility level (BACKWARD, FULL, NONE, ...). */
    public void setCompatibility(String subject, String level) {
        call("PUT", "/config/" + encode(subject), JSON.createObjectNode().put("compatibility", level));
    }

    /** {@code GET /config/{subject}}: the subject's own compatibility level, empty when it has none. */
    public Optional<String> compatibility(String subject) {
        try {
            JsonNode answer = call("GET", "/config/" + encode(subject), null);
            JsonNode level = answer.has("compatibilityLevel") ? answer.get("compatibilityLevel") : answer.get("compatibility");
            return Optional.ofNullable(level).map(JsonNode::asText);
        } catch (RegistryException e) {
            if (e.reason() == RegistryException.Reason.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** One request, tried against each URL in turn until one answers. */
    private JsonNode call(String method, String path, JsonNode body) {
        RegistryException unreachable = null;
        for (URI base : settings.urls()) {
            URI uri = URI.create(base + path);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(settings.readTimeout())
                    .header("Accept", CONTENT_TYPE + ", application/json");
            authorization.ifPresent(a -> request.header("Authorization", a));
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", CONTENT_TYPE).method(method,
                        HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                unreachable = new RegistryException(RegistryException.Reason.UNREACHABLE, 0, "schema registry "
                        + base + " unreachable (" + method + " " + path + "): " + describe(e), e);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException(RegistryException.Reason.UNREACHABLE, 0, "interrupted while calling "
                        + "schema registry " + base, e);
            }
            return answer(base, method, path, response);
        }
        throw unreachable;
    }

    private static JsonNode answer(URI base, String method, String path, HttpResponse<String> response) {
        int status = response.statusCode();
        JsonNode json;
        try {
            json = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            json = null;
        }
        if (status >= 200 && status < 300) {
            if (json == null) {
                throw new RegistryException(RegistryException.Reason.REGISTRY_ERROR, status, "schema registry "
                        + base + " answered " + method + " " + path + " with something that is not JSON", null);
            }
            return json;
        }
        int code = json != null && json.path("error_code").canConvertToInt() ? json.path("error_code").intValue() : status;
        String message = json != null && json.hasNonNull("message") ? json.get("message").asText()
                : abbreviate(response.body());
        RegistryException.Reason reason = switch (status) {
            case 401, 403 -> RegistryException.Reason.UNAUTHORIZED;
            case 404 -> RegistryException.Reason.NOT_FOUND;
            case 409, 422 -> RegistryException.Reason.REFUSED;
            default -> RegistryException.Reason.REGISTRY_ERROR;
        };
        String what = switch (reason) {
            case UNAUTHORIZED -> "refused the credentials (check " + RegistrySettings.USER_INFO + ")";
            case REFUSED -> "refused the schema";
            case NOT_FOUND -> "has no such resource";
            default -> "failed";
        };
        throw new RegistryException(reason, code, "schema registry " + base + " " + what + ": " + method + " " + path
                + " -> HTTP " + status + ", error_code " + code + ": " + message, null);
    }

    private static RegistryException badAnswer(String request, JsonNode answer) {
        return new RegistryException(RegistryException.Reason.REGISTRY_ERROR, 0, "unexpected answer to " + request
                + ": " + abbreviate(answer.toString()), null);
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : " " + m);
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
