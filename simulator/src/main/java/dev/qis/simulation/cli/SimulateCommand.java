package dev.qis.simulation.cli;

import dev.qis.access.TokenFile;
import dev.qis.cli.ClientOptions;
import dev.qis.cli.DurationConverter;
import dev.qis.cli.InputException;
import dev.qis.cli.QisCommand;
import dev.qis.cli.TopicOptions;
import dev.qis.client.QisApiClient;
import dev.qis.errors.Reason;
import dev.qis.simulation.ProgressListener;
import dev.qis.simulation.SimulationConfig;
import dev.qis.simulation.SimulationException;
import dev.qis.simulation.SimulationReport;
import dev.qis.simulation.network.KafkaHttpNetwork;
import dev.qis.simulation.report.ConsoleProgress;
import dev.qis.simulation.report.ReportWriter;
import dev.qis.simulation.report.SimulationMatrix;
import dev.qis.simulation.rounds.EcosystemSimulator;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qis simulate}: runs an ecosystem of honest and Byzantine nodes against a running stream app and reports. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Simulate an ecosystem of fine-tuning nodes against a running stream app, and report.",
            "Domains are Zipf-popular, so some are rare. Honest nodes ask for a synthesis, apply it (or explore), "
                + "publish signed results citing the packets they used and vote on them; Byzantine nodes inflate, "
                + "forge, replay and flood with Sybil keys.",
            "Prints a report of measured gains, rare-domain accuracy, Byzantine rejection, synthesis pairs used and "
                + "query latency (docs/simulation.md defines each number)."})
public final class SimulateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;
    @Mixin
    TopicOptions topics;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "" + SimulationConfig.DEFAULT_NODES,
            description = "actors, honest and Byzantine (default ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--domains", paramLabel = "D", defaultValue = "" + SimulationConfig.DEFAULT_DOMAINS,
            description = "tasks, Zipf-popular so some are rare (default ${DEFAULT-VALUE})")
    int domains;

    @Option(names = "--rounds", paramLabel = "R", defaultValue = "" + SimulationConfig.DEFAULT_ROUNDS,
            description = "runs per node (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--byzantine-share", paramLabel = "SHARE", defaultValue = "" + SimulationConfig.DEFAULT_BYZANTINE_SHARE,
            description = "share of Byzantine actors in [0, 1) (default ${DEFAULT-VALUE})")
    double byzantineShare;

    @Option(names = "--sybil-keys", paramLabel = "K", defaultValue = "" + SimulationConfig.DEFAULT_SYBIL_KEYS,
            description = "identities of the one Sybil actor; 0 for none (default ${DEFAULT-VALUE})")
    int sybilKeys;

    @Option(names = "--epsilon", paramLabel = "E", defaultValue = "" + SimulationConfig.DEFAULT_EPSILON,
            description = "probability an honest node explores instead of applying the recommendation (default ${DEFAULT-VALUE})")
    double epsilon;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "" + SimulationConfig.DEFAULT_SEED,
            description = "seed of every random choice, node keys included (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--zipf-exponent", paramLabel = "S", defaultValue = "" + SimulationConfig.DEFAULT_ZIPF_EXPONENT,
            description = "domain popularity ∝ rank^-S (default ${DEFAULT-VALUE})")
    double zipfExponent;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "" + SimulationConfig.DEFAULT_TOP_K,
            description = "k of the top-k queries that measure the Byzantine share (default ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--domain-prefix", paramLabel = "PREFIX", defaultValue = SimulationConfig.DEFAULT_DOMAIN_PREFIX,
            description = "domains are named PREFIX-dNN; change it to keep runs on one cluster apart (default ${DEFAULT-VALUE})")
    String domainPrefix;

    @Option(names = "--families", paramLabel = "N", defaultValue = "" + SimulationConfig.DEFAULT_FAMILY_COUNT,
            description = "base model families, the first N of " + "llama-3-8b, mistral-7b, qwen2-7b, gemma-2-9b, "
                + "phi-3-mini, falcon-7b, olmo-7b, yi-6b (1-8; default ${DEFAULT-VALUE})")
    int families;

    @Option(names = "--config-space", paramLabel = "SPACE", defaultValue = "standard",
            description = "standard: a grid of 108 configurations; large: a continuous learning rate, a warmup ratio "
                + "and a scheduler (docs/simulation.md; default ${DEFAULT-VALUE})")
    String configSpace;

    @Option(names = "--explore-with", paramLabel = "HOW", defaultValue = "random",
            description = "what an exploring node runs: random (a uniformly random configuration) or alternative (the "
                + "synthesis answer's exploration alternative when it has one; default ${DEFAULT-VALUE})")
    String exploreWith;

    @Option(names = "--api", paramLabel = "URL", defaultValue = "http://localhost:8080",
            description = "the stream app's REST API (default ${DEFAULT-VALUE})")
    String api;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "a file whose first line is the API's bearer token (default: the file $" + TokenFile.ENV
                    + " names; none when neither is set)")
    Path tokenFile;

    /** The environment; replaced in tests. */
    Map<String, String> environment = System.getenv();

    @Option(names = "--settle-timeout", paramLabel = "DURATION", defaultValue = "2m", converter = DurationConverter.class,
            description = "how long to wait each round for the stream app to catch up (default ${DEFAULT-VALUE})")
    Duration settleTimeout;

    @Option(names = "--query-threads", paramLabel = "T", defaultValue = "" + EcosystemSimulator.DEFAULT_QUERY_THREADS,
            description = "synthesis questions in flight at once (the answers are used in node order; default ${DEFAULT-VALUE})")
    int queryThreads;

    @Option(names = "--report-json", paramLabel = "FILE", description = "also write the report as JSON to FILE")
    Path reportJson;

    @Option(names = {"-q", "--quiet"}, description = "no progress bar (the report still goes to stdout)")
    boolean quiet;

    @Option(names = "--summarize-matrix", paramLabel = "DIR",
            description = "simulate nothing: write DIR/matrix.md from the JSON reports DIR/runs.tsv lists "
                + "(what deploy/local/simulation-matrix.sh runs at its end)")
    Path summarizeMatrix;

    @Override
    public Integer call() throws IOException {
        if (summarizeMatrix != null) {
            Path written = SimulationMatrix.write(summarizeMatrix);
            spec.commandLine().getOut().println("wrote " + written);
            spec.commandLine().getOut().flush();
            return QisCommand.EXIT_OK;
        }
        SimulationConfig config = config();
        if (queryThreads < 1 || queryThreads > 256) {
            throw new InputException(Reason.INVALID_OPTION, "--query-threads: must be 1-256, got " + queryThreads);
        }
        URI apiUri = apiUri();
        ProgressListener progress = quiet ? ProgressListener.NONE : ConsoleProgress.onStderr();
        SimulationReport report;
        Optional<String> token;
        try {
            token = TokenFile.clientToken(tokenFile, environment.get(TokenFile.ENV));
        } catch (TokenFile.TokenFileException e) {
            throw new InputException(Reason.FILE_UNREADABLE, "--token-file: " + e.getMessage(), e);
        }
        try (KafkaHttpNetwork network = KafkaHttpNetwork.open(client.publisherSettings(topics), apiUri, token,
                Optional.empty())) {
            report = new EcosystemSimulator(Clock.systemUTC(), settleTimeout, queryThreads).run(config, network, progress);
        }
        spec.commandLine().getOut().print(ReportWriter.text(report));
        spec.commandLine().getOut().flush();
        if (reportJson != null) {
            ReportWriter.writeJson(report, reportJson);
        }
        return QisCommand.EXIT_OK;
    }

    /** The settings from the flags; a bad value is a usage error (exit 2) before anything connects. */
    SimulationConfig config() {
        return new SimulationConfig(nodes, domains, rounds, byzantineShare, sybilKeys, epsilon, seed, zipfExponent,
                topK, domainPrefix, SimulationConfig.families(families),
                SimulationConfig.ConfigSpace.parse(configSpace), exploreWithAlternative());
    }

    private boolean exploreWithAlternative() {
        return switch (exploreWith) {
            case "random" -> false;
            case "alternative" -> true;
            default -> throw new SimulationException(Reason.INVALID_OPTION, "invalid --explore-with: " + exploreWith
                    + " (must be random or alternative)");
        };
    }

    URI apiUri() {
        try {
            return QisApiClient.baseUri(api);
        } catch (IllegalArgumentException e) {
            throw new InputException(Reason.INVALID_OPTION, "--api: " + e.getMessage(), e);
        }
    }
}
