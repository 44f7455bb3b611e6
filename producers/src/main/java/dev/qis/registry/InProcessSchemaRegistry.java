package dev.qis.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParseException;

/**
 * A schema registry in this process, in memory, serving the part of the Schema Registry REST API that
 * registry-aware Kafka tools use to read and write Avro: subjects and their versions, schemas by id, per-subject
 * and global compatibility (checked with Avro's own schema compatibility rules). {@code qis demo} runs one so
 * that its domain topics are readable by those tools; the tests run one where no registry container can run.
 * What it keeps is lost when it stops.
 */
public final class InProcessSchemaRegistry implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The JDK server's switch for TCP_NODELAY on accepted connections, read when its first server is made. */
    private static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";
    private static final Set<String> LEVELS = Set.of("NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD",
            "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE");

    private final HttpServer server;
    private final ExecutorService executor;
    private final Optional<String> authorization;

    // guarded by this
    private final List<Schema> schemas = new ArrayList<>();
    private final Map<String, Integer> idsByCanonicalForm = new HashMap<>();
    private final Map<String, List<Integer>> subjects = new TreeMap<>();
    private final Map<String, String> subjectLevels = new HashMap<>();
    private String globalLevel = "BACKWARD";

    private InProcessSchemaRegistry(HttpServer server, ExecutorService executor, Optional<String> userInfo) {
        this.server = server;
        this.executor = executor;
        this.authorization = userInfo.map(u -> "Basic "
                + Base64.getEncoder().encodeToString(u.getBytes(StandardCharsets.UTF_8)));
    }

    /** Binds and starts answering; port 0 picks a free one. */
    public static InProcessSchemaRegistry start(InetSocketAddress bind) throws IOException {
        return start(bind, Optional.empty());
    }

    /** Binds and starts answering, asking every request for these basic-auth credentials ({@code user:password}). */
    public static InProcessSchemaRegistry start(InetSocketAddress bind, Optional<String> userInfo) throws IOException {
        return start(bind, userInfo, Optional.empty());
    }

    /** Binds and starts answering, over TLS with {@code tls} (its key managers hold the server certificate) if given. */
    public static InProcessSchemaRegistry start(InetSocketAddress bind, Optional<String> userInfo,
                                                Optional<SSLContext> tls) throws IOException {
        // Without TCP_NODELAY an answer written as headers then body waits ~40 ms for the client's delayed ACK.
        if (System.getProperty(NODELAY_PROPERTY) == null) {
            System.setProperty(NODELAY_PROPERTY, "true");
        }
        HttpServer server;
        if (tls.isPresent()) {
            HttpsServer https = HttpsServer.create(bind, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls.get()));
            server = https;
        } else {
            server = HttpServer.create(bind, 0);
        }
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "qis-schema-registry");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        InProcessSchemaRegistry registry = new InProcessSchemaRegistry(server, executor, userInfo);
        server.createContext("/", registry::handle);
        server.start();
        return registry;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The URL clients are given as {@code schema.registry.url}. */
    public String url() {
        String host = server.getAddress().getAddress().isAnyLocalAddress() ? "localhost"
                : server.getAddress().getHostString();
        return (server instanceof HttpsServer ? "https://" : "http://") + host + ":" + port();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Answer answer;
            try {
                if (authorization.isPresent()
                        && !authorization.get().equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                    answer = error(401, 401, "Unauthorized");
                } else {
                    answer = route(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                            exchange.getRequestBody());
                }
            } catch (IOException | RuntimeException e) {
                answer = error(500, 50001, "Error in the backend: " + e);
            }
            byte[] body = answer.body().toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", SchemaRegistryClient.CONTENT_TYPE);
            exchange.sendResponseHeaders(answer.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private record Answer(int status, JsonNode body) {
    }

    private Answer route(String method, String path, InputStream in) throws IOException {
        String[] p = path.replaceAll("/+$", "").split("/");
        // p[0] is the empty string before the leading slash
        int n = p.length;
        if (n <= 1) {
            return get(method, () -> ok(JSON.createObjectNode()));
        }
        switch (p[1]) {
            case "schemas":
                if (n == 4 && p[2].equals("ids")) {
                    return get(method, () -> schemaById(p[3]));
                }
                break;
            case "subjects":
                if (n == 2) {
                    return get(method, this::subjectList);
                }
                if (n == 3 && method.equals("POST")) {
                    return lookup(p[2], body(in));
                }
                if (n == 4 && p[3].equals("versions")) {
                    return method.equals("POST") ? register(p[2], body(in)) : get(method, () -> versions(p[2]));
                }
                if (n == 5 && p[3].equals("versions")) {
                    return get(method, () -> version(p[2], p[4]));
                }
                break;
            case "config":
                if (n == 2 || n == 3) {
                    String subject = n == 3 ? p[2] : null;
                    return method.equals("PUT") ? setLevel(subject, body(in)) : get(method, () -> level(subject));
                }
                break;
            default:
                break;
        }
        return error(404, 404, "HTTP 404 Not Found");
    }

    private interface Read {
        Answer get();
    }

    private static Answer get(String method, Read read) {
        return method.equals("GET") ? read.get() : error(405, 405, "HTTP 405 Method Not Allowed");
    }

    private static JsonNode body(InputStream in) throws IOException {
        byte[] bytes = in.readAllBytes();
        try {
            return bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    private synchronized Answer schemaById(String text) {
        int id = parseInt(text);
        if (id < 1 || id > schemas.size()) {
            return error(404, 40403, "Schema " + text + " not found");
        }
        return ok(JSON.createObjectNode().put("schema", schemas.get(id - 1).toString()));
    }

    private synchronized Answer subjectList() {
        ArrayNode list = JSON.createArrayNode();
        subjects.keySet().forEach(list::add);
        return ok(list);
    }

    private synchronized Answer versions(String subject) {
        List<Integer> ids = subjects.get(subject);
        if (ids == null) {
            return subjectNotFound(subject);
        }
        ArrayNode list = JSON.createArrayNode();
        for (int v = 1; v <= ids.size(); v++) {
            list.add(v);
        }
        return ok(list);
    }

    private synchronized Answer version(String subject, String versionText) {
        List<Integer> ids = subjects.get(subject);
        if (ids == null) {
            return subjectNotFound(subject);
        }
        int version = versionText.equals("latest") ? ids.size() : parseInt(versionText);
        if (version < 1 || version > ids.size()) {
            return error(404, 40402, "Version " + versionText + " not found.");
        }
        return ok(subjectVersion(subject, version, ids.get(version - 1)));
    }

    private synchronized Answer lookup(String subject, JsonNode body) {
        Object parsed = parse(body);
        if (parsed instanceof Answer refusal) {
            return refusal;
        }
        List<Integer> ids = subjects.get(subject);
        if (ids == null) {
            return subjectNotFound(subject);
        }
        Integer id = idsByCanonicalForm.get(((Schema) parsed).toString());
        int index = id == null ? -1 : ids.indexOf(id);
        if (index < 0) {
            return error(404, 40403, "Schema not found");
        }
        return ok(subjectVersion(subject, index + 1, id));
    }

    private synchronized Answer register(String subject, JsonNode body) {
        Object parsed = parse(body);
        if (parsed instanceof Answer refusal) {
            return refusal;
        }
        Schema schema = (Schema) parsed;
        String canonical = schema.toString();
        List<Integer> ids = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        Integer known = idsByCanonicalForm.get(canonical);
        if (known != null && ids.contains(known)) {
            return ok(JSON.createObjectNode().put("id", known));
        }
        String level = subjectLevels.getOrDefault(subject, globalLevel);
        Optional<String> conflict = incompatibility(level, schema, ids);
        if (conflict.isPresent()) {
            if (ids.isEmpty()) {
                subjects.remove(subject);
            }
            return error(409, 409, "Schema being registered is incompatible with an earlier schema for subject \""
                    + subject + "\" (compatibility " + level + "): " + conflict.get());
        }
        int id = known != null ? known : schemas.size() + 1;
        if (known == null) {
            schemas.add(schema);
            idsByCanonicalForm.put(canonical, id);
        }
        ids.add(id);
        return ok(JSON.createObjectNode().put("id", id));
    }

    /** Why {@code schema} may not follow the subject's versions under {@code level}, if it may not. */
    private Optional<String> incompatibility(String level, Schema schema, List<Integer> ids) {
        if (ids.isEmpty() || level.equals("NONE")) {
            return Optional.empty();
        }
        List<Integer> against = level.endsWith("_TRANSITIVE") ? ids : List.of(ids.get(ids.size() - 1));
        boolean backward = level.startsWith("BACKWARD") || level.startsWith("FULL");
        boolean forward = level.startsWith("FORWARD") || level.startsWith("FULL");
        for (int id : against) {
            Schema earlier = schemas.get(id - 1);
            if (backward) {
                var result = SchemaCompatibility.checkReaderWriterCompatibility(schema, earlier).getResult();
                if (result.getCompatibility() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                    return Optional.of("the new schema cannot read data written with schema id " + id + ": "
                            + result.getIncompatibilities());
                }
            }
            if (forward) {
                var result = SchemaCompatibility.checkReaderWriterCompatibility(earlier, schema).getResult();
                if (result.getCompatibility() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                    return Optional.of("schema id " + id + " cannot read data written with the new schema: "
                            + result.getIncompatibilities());
                }
            }
        }
        return Optional.empty();
    }

    private synchronized Answer level(String subject) {
        if (subject == null) {
            return ok(JSON.createObjectNode().put("compatibilityLevel", globalLevel));
        }
        String level = subjectLevels.get(subject);
        if (level == null) {
            return error(404, 40408, "Subject '" + subject + "' does not have subject-level compatibility configured");
        }
        return ok(JSON.createObjectNode().put("compatibilityLevel", level));
    }

    private synchronized Answer setLevel(String subject, JsonNode body) {
        String level = body == null ? null : body.path("compatibility").asText(null);
        if (level == null || !LEVELS.contains(level.toUpperCase(Locale.ROOT))) {
            return error(422, 42203, "Invalid compatibility level " + level + "; one of " + new TreeSet<>(LEVELS));
        }
        level = level.toUpperCase(Locale.ROOT);
        if (subject == null) {
            globalLevel = level;
        } else {
            subjectLevels.put(subject, level);
        }
        return ok(JSON.createObjectNode().put("compatibility", level));
    }

    /** The schema of a register or lookup request, or the refusal to answer with. */
    private static Object parse(JsonNode body) {
        if (body == null || !body.path("schema").isTextual()) {
            return error(422, 42201, "Invalid schema: the request needs a \"schema\" string");
        }
        String type = body.path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            return error(422, 42201, "Invalid schema: only AVRO schemas are served here, not " + type);
        }
        try {
            return new Schema.Parser().parse(body.get("schema").asText());
        } catch (SchemaParseException e) {
            return error(422, 42201, "Invalid schema: " + e.getMessage());
        }
    }

    private ObjectNode subjectVersion(String subject, int version, int id) {
        return JSON.createObjectNode().put("subject", subject).put("version", version).put("id", id)
                .put("schema", schemas.get(id - 1).toString());
    }

    private static Answer subjectNotFound(String subject) {
        return error(404, 40401, "Subject '" + subject + "' not found.");
    }

    private static int parseInt(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Answer ok(JsonNode body) {
        return new Answer(200, body);
    }

    private static Answer error(int status, int code, String message) {
        return new Answer(status, JSON.createObjectNode().put("error_code", code).put("message", message));
    }
}
