package dev.qis.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qis.adapters.DataScales;
import dev.qis.adapters.Draft;
import dev.qis.adapters.JsonLinesAdapter;
import dev.qis.adapters.LmEvalAdapter;
import dev.qis.adapters.MlflowRunAdapter;
import dev.qis.adapters.ModelCardAdapter;
import dev.qis.adapters.PacketFields;
import dev.qis.adapters.PacketJson;
import dev.qis.adapters.ParamText;
import dev.qis.errors.Reason;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.Topics;
import dev.qis.protocol.avro.DataScale;
import dev.qis.publish.QisPublisher;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Model.CommandSpec;

/** {@code qis publish}: signs outcome packets from flags, JSON lines, a model-card pair or an MLflow run, and sends them. */
@Command(name = "publish", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sign outcome packets and publish them to " + Topics.OUTCOMES_PREFIX + "<first hex of the fingerprint>.",
            "Input: the field flags alone (one packet), --input (JSON lines), --model-card with --base-card, --mlflow-run, "
                + "or --lm-eval with --lm-eval-base (lm-evaluation-harness results of the fine-tuned and the base model).",
            "Field flags fill what the input does not carry and override what it does.",
            "Every packet is validated and signed before anything is sent, and the batch is one transaction: it is "
                + "published whole or not at all. Prints the packet ids once the broker has acknowledged them."})
public final class PublishCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;
    @Mixin
    KeyOptions key;
    @Mixin
    TopicOptions topics;

    @Option(names = {"-i", "--input"}, paramLabel = "FILE",
            description = "JSON lines, one packet per line, Avro field names (base_model_family, task, tags, ...); - reads standard input")
    String input;

    @Option(names = "--model-card", paramLabel = "README.md",
            description = "the fine-tuned model's card (model-index results give the outcome scores); needs --base-card")
    Path modelCard;

    @Option(names = "--base-card", paramLabel = "README.md",
            description = "the base model's card: its result for the same dataset and metric type is the baseline")
    Path baseCard;

    @Option(names = "--mlflow-run", paramLabel = "FILE", description = "an MLflow run as the REST API returns it ({\"run\": {...}})")
    Path mlflowRun;

    @Option(names = "--lm-eval", paramLabel = "results.json",
            description = "the fine-tuned model's lm-evaluation-harness results (one packet per task and metric); needs --lm-eval-base")
    Path lmEval;

    @Option(names = "--lm-eval-base", paramLabel = "results.json",
            description = "the base model's lm-evaluation-harness results: its score for the same task and metric is the baseline")
    Path lmEvalBase;

    @Option(names = "--dry-run", description = "print the signed packets as JSON (with fingerprint, topic and encoded size); send nothing")
    boolean dryRun;

    @Option(names = {"-f", "--family"}, paramLabel = "NAME", description = "base_model_family, e.g. llama-3-8b")
    String family;
    @Option(names = {"-t", "--task"}, paramLabel = "TASK", description = "task (the domain), lower case")
    String task;
    @Option(names = "--tag", paramLabel = "TAG", description = "a context tag; repeat for several")
    List<String> tags;
    @Option(names = "--data-scale", paramLabel = "SCALE", converter = DataScaleConverter.class,
            description = "training examples: a bucket (LT_100, FROM_100_TO_1K, FROM_1K_TO_10K, FROM_10K_TO_100K, GT_100K) or a count")
    DataScale dataScale;
    @Option(names = "--benchmark", paramLabel = "NAME", description = "the eval benchmark, e.g. medqa")
    String benchmark;
    @Option(names = "--metric", paramLabel = "NAME", description = "the metric, e.g. accuracy")
    String metric;
    @Option(names = "--baseline", paramLabel = "SCORE", description = "baseline_score: the base model's score")
    Double baseline;
    @Option(names = "--outcome", paramLabel = "SCORE", description = "outcome_score: the fine-tuned model's score")
    Double outcome;
    @Option(names = "--higher-is-better", paramLabel = "BOOL", arity = "1", description = "true (default) or false")
    Boolean higherIsBetter;
    @Option(names = "--method-type", paramLabel = "METHOD", description = "LoRA, QLoRA, full, DPO, ...")
    String methodType;
    @Option(names = "--hyperparam", paramLabel = "NAME=VALUE",
            description = "a hyperparameter (numbers and true/false keep their type); repeat for several")
    Map<String, String> hyperparams;
    @Option(names = "--held-out-eval", paramLabel = "BOOL", arity = "1", description = "whether the eval was held out: true (default) or false")
    Boolean heldOutEval;
    @Option(names = "--n-eval", paramLabel = "N", description = "n_eval_samples: eval set size")
    Integer nEval;
    @Option(names = "--confidence", paramLabel = "P", description = "confidence in [0, 1]")
    Double confidence;
    @Option(names = "--informed-by", paramLabel = "PACKET_ID", description = "a packet that informed this run; repeat for several")
    List<String> informedBy;

    @Override
    public Integer call() {
        List<Draft> drafts = drafts(Instant.now());
        NodeIdentity node;
        if (dryRun && !key.given()) {
            node = NodeIdentity.generate();
            spec.commandLine().getErr().println("dry run without --key: signing with a throwaway node " + node.nodeId()
                    + " (packet ids will differ from a real run)");
        } else {
            node = key.identity();
        }
        List<SignedPacket> packets = new ArrayList<>(drafts.size());
        for (Draft d : drafts) {
            packets.add(d.seal(node));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (dryRun) {
            for (SignedPacket p : packets) {
                ObjectNode line = PacketJson.of(p.packet());
                ObjectNode head = line.objectNode();
                head.put("fingerprint", p.fingerprint().value());
                head.put("packet_id", p.id());
                head.put("topic", Topics.outcomes(p.fingerprint(), topics.layout().prefixChars()));
                head.put("encoded_size", p.bytes().length);
                head.setAll(line);
                out.println(PacketJson.toLine(head));
            }
            return QisCommand.EXIT_OK;
        }
        List<String> ids;
        try (QisPublisher publisher = QisPublisher.open(client.publisherSettings(topics))) {
            publisher.register(node);
            ids = publisher.publish(packets);
        }
        ids.forEach(out::println);
        spec.commandLine().getErr().println("published " + ids.size() + " packet(s) as node " + node.nodeId());
        return QisCommand.EXIT_OK;
    }

    private List<Draft> drafts(Instant issuedAt) {
        int sources = (input != null ? 1 : 0) + (modelCard != null ? 1 : 0) + (mlflowRun != null ? 1 : 0)
                + (lmEval != null ? 1 : 0);
        if (sources > 1) {
            throw new InputException(Reason.INVALID_OPTION,
                    "give at most one of --input, --model-card, --mlflow-run, --lm-eval");
        }
        if ((lmEval == null) != (lmEvalBase == null)) {
            throw new InputException(Reason.INVALID_OPTION,
                    "--lm-eval and --lm-eval-base go together: the base model's results give the baselines");
        }
        if ((modelCard == null) != (baseCard == null)) {
            throw new InputException(Reason.INVALID_OPTION,
                    "--model-card and --base-card go together: the base card gives the baselines");
        }
        PacketFields flags = flagFields();
        if (input != null) {
            return readJsonLines(flags, issuedAt);
        }
        if (modelCard != null) {
            ModelCardAdapter.Result result = ModelCardAdapter.read(modelCard, baseCard, flags, issuedAt);
            result.skipped().forEach(s -> spec.commandLine().getErr().println(
                    "skipped " + s + ": the base card has no result for the same dataset and metric"));
            return result.drafts();
        }
        if (mlflowRun != null) {
            return List.of(MlflowRunAdapter.read(mlflowRun, flags, issuedAt));
        }
        if (lmEval != null) {
            LmEvalAdapter.Result result = LmEvalAdapter.read(lmEval, lmEvalBase, flags, issuedAt);
            result.skipped().forEach(s -> spec.commandLine().getErr().println(
                    "skipped " + s + ": the base results have no score for the same task and metric"));
            return result.drafts();
        }
        return List.of(flags.toDraft("flags", issuedAt));
    }

    private List<Draft> readJsonLines(PacketFields flags, Instant issuedAt) {
        if (input.equals("-")) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            return JsonLinesAdapter.read(in, "stdin", flags, issuedAt);
        }
        try (BufferedReader in = Files.newBufferedReader(Path.of(input), StandardCharsets.UTF_8)) {
            return JsonLinesAdapter.read(in, input, flags, issuedAt);
        } catch (IOException e) {
            throw new InputException(Reason.FILE_UNREADABLE, "--input " + input + ": cannot read: " + e, e);
        }
    }

    private PacketFields flagFields() {
        Map<String, Object> hp = null;
        if (hyperparams != null) {
            hp = new LinkedHashMap<>();
            for (var e : hyperparams.entrySet()) {
                hp.put(e.getKey(), ParamText.typed(e.getValue()));
            }
        }
        return new PacketFields(family, task, tags, dataScale, benchmark, metric, baseline, outcome, higherIsBetter,
                methodType, hp, heldOutEval, nEval, confidence, informedBy);
    }

    /** Accepts a bucket name or a count of training examples. */
    static final class DataScaleConverter implements ITypeConverter<DataScale> {
        @Override
        public DataScale convert(String value) {
            try {
                return DataScales.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
