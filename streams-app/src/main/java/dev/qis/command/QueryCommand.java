package dev.qis.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qis.access.TokenFile;
import dev.qis.cli.QisCommand;
import dev.qis.client.QisApiClient;
import dev.qis.errors.Reason;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qis query}: a client of the REST API. Prints the JSON answer; a problem answer goes to stderr and exits 2
 * for a 4xx (the question was wrong), 1 for a 5xx or an unreachable API (ask again later).
 */
@Command(name = "query",
        description = "Ask the REST API of a running qis serve / qis demo.",
        mixinStandardHelpOptions = true,
        subcommands = {QueryCommand.Domains.class, QueryCommand.Top.class, QueryCommand.Synthesis.class,
                QueryCommand.Packets.class, QueryCommand.Packet.class, QueryCommand.Node.class,
                QueryCommand.Instances.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:answered", "1:server error (5xx) or API unreachable", "2:bad question (4xx) or usage error"})
public final class QueryCommand implements Runnable {
    @Option(names = "--api", defaultValue = "${env:QIS_API:-http://localhost:8080}",
            description = "Base URL of the API (default: $QIS_API, else http://localhost:8080; now ${DEFAULT-VALUE}).")
    String api;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "A file whose first line is the API's bearer token (default: the file $" + TokenFile.ENV
                    + " names; none when neither is set). Over https, the JDK's javax.net.ssl.* settings choose the "
                    + "trust store and client certificate.")
    Path tokenFile;

    /** The environment; replaced in tests. */
    Map<String, String> environment = System.getenv();

    @Option(names = "--pretty", description = "Indent the JSON for people.")
    boolean pretty;

    @Option(names = "--timeout-ms", defaultValue = "10000", description = "Request timeout (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a query is required: domains, top, synthesis, "
                + "packets, packet, node or instances");
    }

    /** GETs a path with query parameters (empty values left out) and prints the answer; returns the exit code. */
    int get(String path, Map<String, String> params) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        QisApiClient.Builder to;
        try {
            to = QisApiClient.to(api);
        } catch (IllegalArgumentException e) {
            err.println("qis: " + Reason.INVALID_OPTION + ": --api is not a URL: " + api);
            return QisCommand.EXIT_USAGE;
        }
        Optional<String> token;
        try {
            token = TokenFile.clientToken(tokenFile, environment.get(TokenFile.ENV));
        } catch (TokenFile.TokenFileException e) {
            err.println("qis: " + Reason.FILE_UNREADABLE + ": --token-file: " + e.getMessage());
            return QisCommand.EXIT_USAGE;
        }
        Duration timeout = Duration.ofMillis(timeoutMs);
        QisApiClient client = to.token(token).timeouts(timeout, timeout).build();
        QisApiClient.Answer answer;
        try {
            answer = client.get(path + QisApiClient.query(params));
        } catch (IOException e) {
            err.println("qis: " + Reason.API_FAILED + ": the API at " + client.base() + " is unreachable: " + QisApiClient.reason(e)
                    + " (is qis serve or qis demo running there? --api or QIS_API names another)");
            return QisCommand.EXIT_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return QisCommand.EXIT_FAILURE;
        }
        String body = format(answer.body());
        if (answer.ok()) {
            out.println(body);
            return QisCommand.EXIT_OK;
        }
        err.println(body);
        answer.retryAfter().ifPresent(s -> err.println("qis: retry after " + s + " s"));
        if (answer.statusCode() == 401) {
            err.println("qis: the API wants a bearer token: --token-file FILE or $" + TokenFile.ENV
                    + (token.isPresent() ? " (the one sent was refused)" : ""));
        }
        int status = answer.statusCode();
        return status >= 400 && status < 500 ? QisCommand.EXIT_USAGE : QisCommand.EXIT_FAILURE;
    }

    private String format(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            return pretty ? JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) : JSON.writeValueAsString(node);
        } catch (IOException e) {
            return body; // not JSON (a proxy's error page): show it as it came
        }
    }

    static String seg(String value) {
        return QisApiClient.segment(value);
    }

    static Map<String, String> params(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Command(name = "domains", description = "Every domain with its stats.", mixinStandardHelpOptions = true)
    static final class Domains implements Callable<Integer> {
        @CommandLine.ParentCommand
        QueryCommand parent;

        @Override
        public Integer call() {
            return parent.get("/v1/domains", Map.of());
        }
    }

    @Command(name = "instances", description = "Every instance of the app and what it hosts.",
            mixinStandardHelpOptions = true)
    static final class Instances implements Callable<Integer> {
        @CommandLine.ParentCommand
        QueryCommand parent;

        @Override
        public Integer call() {
            return parent.get("/v1/instances", Map.of());
        }
    }

    @Command(name = "top", description = "Top-k routed packets of a domain, with their elections breakdown.",
            mixinStandardHelpOptions = true)
    static final class Top implements Callable<Integer> {
        @CommandLine.ParentCommand
        QueryCommand parent;
        @Parameters(paramLabel = "DOMAIN", description = "The domain (a task name).")
        String domain;
        @Option(names = "-k", description = "How many (1-1000; server default 10).")
        Integer k;
        @Option(names = "--family", description = "Only packets of this base-model family.")
        String family;
        @Option(names = "--tag", description = "Only packets with this tag.")
        String tag;
        @Option(names = "--min-confidence", description = "Only packets with at least this confidence (0-1).")
        Double minConfidence;

        @Override
        public Integer call() {
            return parent.get("/v1/domains/" + seg(domain) + "/top", params(
                    "k", k == null ? null : k.toString(), "family", family, "tag", tag,
                    "min_confidence", minConfidence == null ? null : minConfidence.toString()));
        }
    }

    @Command(name = "synthesis", mixinStandardHelpOptions = true,
            description = "A recommendation: for a domain and an asking context, or for one exact fingerprint.")
    static final class Synthesis implements Callable<Integer> {
        @CommandLine.ParentCommand
        QueryCommand parent;
        @Parameters(paramLabel = "DOMAIN", arity = "0..1", description = "The domain (omit with --fingerprint).")
        String domain;
        @Option(names = "--family", description = "Your base-model family.")
        String family;
        @Option(names = "--tags", split = ",", description = "Your context's tags, comma-separated.")
        java.util.List<String> tags;
        @Option(names = "--fingerprint", description = "Synthesize for this exact context instead of a domain.")
        String fingerprint;

        @Override
        public Integer call() {
            if ((domain == null) == (fingerprint == null)) {
                throw new CommandLine.ParameterException(parent.spec.commandLine(),
                        "give either a DOMAIN or --fingerprint");
            }
            if (fingerprint != null) {
                return parent.get("/v1/fingerprints/" + seg(fingerprint) + "/synthesis", Map.of());
            }
            return parent.get("/v1/domains/" + seg(domain) + "/synthesis", params(
                    "family", family, "tags", tags == null ? null : String.join(",", tags)));
        }
    }

    @Command(name = "packets", description = "A fingerprint's packets, one page at a time.", mixinStandardHelpOptions = true)
    static final class Packets implements Callable<Integer> {
        @CommandLine.ParentCommand
        QueryCommand parent;
        @Parameters(paramLabel = "FINGERPRINT")
        String fingerprint;
        @Option(names = "--limit", description = "Page size (1-1000; server default 50).")
        Integer limit;
        @Option(names = "--cursor", description = "next_cursor of the previous page.")
        String cursor;

        @Override
        public Integer call() {
            return parent.get("/v1/fingerprints/" + seg(fingerprint) + "/packets", params(
                    "limit", limit == null ? null : limit.toString(), "cursor", cursor));
        }
    }

    @Command(name = "packet", description = "One packet and its elections breakdown.", mixinStandardHelpOptions = true)
    static final class Packet implements Callable<Integer> {
        @CommandLine.ParentCommand
        QueryCommand parent;
        @Parameters(paramLabel = "PACKET_ID")
        String packetId;

        @Override
        public Integer call() {
            return parent.get("/v1/packets/" + seg(packetId), Map.of());
        }
    }

    @Command(name = "node", description = "A node's trust and tallies.", mixinStandardHelpOptions = true)
    static final class Node implements Callable<Integer> {
        @CommandLine.ParentCommand
        QueryCommand parent;
        @Parameters(paramLabel = "NODE_ID")
        String nodeId;

        @Override
        public Integer call() {
            return parent.get("/v1/nodes/" + seg(nodeId), Map.of());
        }
    }
}
