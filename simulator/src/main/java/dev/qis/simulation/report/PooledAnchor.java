package dev.qis.simulation.report;

import dev.qis.fidelity.Elections;
import dev.qis.fidelity.Evidence;
import dev.qis.fidelity.Measurement;
import dev.qis.fidelity.Synthesis;
import dev.qis.simulation.actors.Role;
import dev.qis.simulation.actors.SimNode;
import dev.qis.simulation.world.Configuration;
import dev.qis.simulation.world.ConfigurationGrid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pooled anchor of one round: what one central store of every honest run's raw observation so far would
 * recommend. Each observation is evidence with one measurement (its observed gain, weighing
 * {@code Elections.reportWeight(n_eval)}, trust 1); observations of one configuration in one domain and family are
 * one piece of evidence with several measurements, which leaves every estimate the same. The store answers a
 * domain from that domain's observations, of every family; another domain's runs (whose surface has its own
 * optimum) only while the domain has none. Answers are cached per domain and family (every node that shares them
 * asks the same question).
 */
public final class PooledAnchor {
    /** The trust of every observation's author: the store holds honest runs only. */
    static final double HONEST_TRUST = 1.0;

    private final ConfigurationGrid grid;
    private final Synthesis synthesis;
    private final Map<String, List<Evidence>> byDomain = new HashMap<>();
    private final List<Evidence> all = new ArrayList<>();
    private final Map<String, Optional<Configuration>> answers = new HashMap<>();

    /** {@code elections} weighs each observation by its evaluation size, as the stream app weighs a report. */
    public PooledAnchor(Ledger ledger, ConfigurationGrid grid, Synthesis synthesis, Elections elections) {
        this.grid = grid;
        this.synthesis = synthesis;
        Map<String, List<Ledger.Entry>> groups = new LinkedHashMap<>();
        for (Ledger.Entry e : ledger.all()) {
            if (e.role() == Role.HONEST) {
                groups.computeIfAbsent(e.domain().name() + "\u0000" + e.family() + "\u0000"
                        + Synthesis.configurationKey(e.config().method(), e.config().hyperparams()),
                        k -> new ArrayList<>()).add(e);
            }
        }
        for (List<Ledger.Entry> group : groups.values()) {
            Ledger.Entry first = group.get(0);
            List<Measurement> measurements = new ArrayList<>();
            for (Ledger.Entry e : group) {
                measurements.add(new Measurement(e.packet().packet().getNodeId(), e.claimedGain(),
                        elections.reportWeight(
                                e.packet().packet().getValidation().getNEvalSamples())));
            }
            // every observation is an honest run's own: none is an unproven claim for synthesis to pool
            Evidence evidence = new Evidence(first.id(), first.packet().packet().getNodeId(), first.family(),
                    first.domain().name(), first.domain().tags(), first.config().method(),
                    first.config().hyperparams(), measurements, 0, 0, HONEST_TRUST);
            byDomain.computeIfAbsent(first.domain().name(), k -> new ArrayList<>()).add(evidence);
            all.add(evidence);
        }
    }

    public Optional<Configuration> pick(SimNode node) {
        String domain = node.domain().name();
        return answers.computeIfAbsent(domain + "\u0000" + node.family(), k -> synthesis
                .recommend(new Synthesis.Context(node.family(), domain, node.domain().tags()),
                        byDomain.getOrDefault(domain, all))
                .flatMap(r -> grid.fromRecommendation(r.methodType(), r.hyperparams())));
    }
}
