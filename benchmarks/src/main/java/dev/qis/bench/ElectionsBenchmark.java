package dev.qis.bench;

import dev.qis.fidelity.Elections;
import dev.qis.fidelity.FidelityParams;
import dev.qis.fidelity.FidelityScore;
import dev.qis.fidelity.Synthesis;
import dev.qis.fidelity.Evidence;
import dev.qis.fidelity.Recommendation;
import dev.qis.query.Breakdowns;
import dev.qis.store.Candidate;
import dev.qis.store.CandidateReport;
import dev.qis.store.PacketFacts;
import dev.qis.fidelity.TopK;
import dev.qis.fidelity.TrustLookup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pure parts past ingest, on a full domain ({@value #CANDIDATES} candidates, the default
 * {@code qis.domain.candidates.max}): one election update of a packet, a top-k over the domain's candidates, and a
 * synthesis over all of them. What a query or a stored packet costs before any store or network.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ElectionsBenchmark {
    static final int CANDIDATES = 200;
    private static final String[] FAMILIES = {"llama-3-8b", "mistral-7b", "qwen2-7b", "gemma-2-9b"};
    private static final String[] METHODS = {"LoRA", "QLoRA", "full-fine-tune", "DPO"};
    private static final long NOW = 1_790_000_000_000L;

    private final Elections elections = new Elections(FidelityParams.DEFAULTS);
    private final Synthesis synthesis = new Synthesis(FidelityParams.DEFAULTS);
    private final TopK<Candidate> topK = new TopK<>(new Breakdowns(elections)::of, FidelityParams.DEFAULTS.maxPerNode());
    private final TrustLookup trust = node -> 0.5 + (node.hashCode() & 7) / 16.0;
    private List<Candidate> candidates;
    private List<Evidence> evidence;
    private Synthesis.Context asking;

    @Setup
    public void setUp() {
        Random r = new Random(11);
        candidates = new ArrayList<>(CANDIDATES);
        evidence = new ArrayList<>(CANDIDATES);
        for (int i = 0; i < CANDIDATES; i++) {
            String family = FAMILIES[r.nextInt(FAMILIES.length)];
            double gain = r.nextDouble() * 0.3 - 0.05;
            PacketFacts facts = new PacketFacts(String.format("%016x-%016x", i, r.nextLong()), "node-" + r.nextInt(40),
                    NOW - r.nextInt(1_000_000_000), family, "bench-task", List.of("en", i % 2 == 0 ? "code" : "qa"),
                    "FROM_1K_TO_10K", "bench-eval", "accuracy", 0.5, 0.5 + gain / 2, true, gain,
                    METHODS[r.nextInt(METHODS.length)], Map.of("lora_r", 1L << (2 + r.nextInt(5)), "learning_rate",
                    1e-5 * (1 + r.nextInt(30))), true, 100 + r.nextInt(900), 0.5 + r.nextInt(50) / 100.0, List.of());
            double curate = elections.claimWeight(facts.confidence(), facts.nEvalSamples(), true);
            TreeMap<String, CandidateReport> reports = new TreeMap<>();
            for (int v = 0; v < r.nextInt(4); v++) {
                double observed = gain + r.nextGaussian() * 0.03;
                reports.put("voter-" + r.nextInt(40), new CandidateReport(observed, 100 + r.nextInt(900),
                        elections.reproduces(gain, observed), r.nextDouble() < 0.8));
            }
            Candidate c = candidate(facts, curate, reports);
            candidates.add(c);
            evidence.add(new Breakdowns(elections).evidence(c, trust, NOW));
        }
        asking = new Synthesis.Context("llama-3-8b", "bench-task", List.of("en", "code"));
    }

    /** A candidate's trust-free elections from its claim and reports: expected gain, S, F, listing, rank key. */
    private Candidate candidate(PacketFacts facts, double curate, TreeMap<String, CandidateReport> reports) {
        List<dev.qis.fidelity.Measurement> all = new ArrayList<>();
        all.add(new dev.qis.fidelity.Measurement(facts.nodeId(), facts.gain(), curate));
        long s = 0;
        long f = 0;
        for (var e : reports.entrySet()) {
            if (e.getValue().backed()) {
                all.add(new dev.qis.fidelity.Measurement(e.getKey(), e.getValue().observedGain(),
                        elections.reportWeight(e.getValue().nEvalSamples())));
                s += e.getValue().reproduced() ? 1 : 0;
                f += e.getValue().reproduced() ? 0 : 1;
            }
        }
        double expected = elections.expectedGain(all);
        return new Candidate(facts, curate, 0, reports, expected, s, f, Elections.listed(expected, s, f),
                elections.logScore(expected, facts.issuedAt()));
    }

    /** One packet's elections after a vote: CURATE's claim weight and the backed reports pooled, with decay. */
    @Benchmark
    public FidelityScore electionUpdate() {
        Candidate c = candidates.get(17);
        return new Breakdowns(elections).of(c, trust, NOW);
    }

    /** A domain's top 10 from its 200 stored candidates, scored with current trust and decay. */
    @Benchmark
    public List<TopK.Ranked<Candidate>> topKOver200() {
        return topK.top(candidates, c -> true, trust, NOW, 10);
    }

    /** A recommendation (a configuration, its expected gain and interval, an alternative) from 200 candidates. */
    @Benchmark
    public Optional<Recommendation> synthesisOver200() {
        return synthesis.recommend(asking, evidence);
    }
}
