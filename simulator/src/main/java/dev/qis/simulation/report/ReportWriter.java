package dev.qis.simulation.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.qis.simulation.SimulationGoals;
import dev.qis.simulation.SimulationReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Renders a {@link SimulationReport} as text for people and as JSON (snake_case, like the REST API) for tools. */
public final class ReportWriter {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private ReportWriter() {
    }

    public static String json(SimulationReport report) {
        try {
            return JSON.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void writeJson(SimulationReport report, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, json(report) + "\n");
    }

    public static String text(SimulationReport r) {
        StringBuilder out = new StringBuilder();
        var s = r.settings();
        var p = r.population();
        line(out, "QIS ecosystem simulation: %d nodes, %d domains (Zipf s=%.2f), %d rounds, seed %d",
                s.nodes(), s.domains(), s.zipfExponent(), s.rounds(), s.seed());
        line(out, "  network: %s", s.network());
        line(out, "  actors: %d honest, %d inflators, %d forgers, %d replayers, %d Sybil actor(s) with %d keys%s",
                p.honest(), p.inflators(), p.forgers(), p.replayers(), p.sybilActors(), p.sybilKeys(),
                p.sybilTargetDomain() == null ? "" : " flooding " + p.sybilTargetDomain());
        line(out, "  %d configurations, families %s, epsilon %.2f; %d rare domains hold %d honest nodes",
                s.configurations(), s.families(), s.epsilon(), p.rareDomains(), p.honestNodesInRareDomains());
        out.append('\n');

        line(out, "1. Mean TRUE gain of honest runs (relative to baseline)");
        line(out, "   %-6s %6s %9s %9s %9s %9s %9s", "round", "runs", "loop", "random", "naive", "pooled", "oracle");
        for (var round : r.rounds()) {
            line(out, "   %-6d %6d %9.4f %9.4f %9.4f %9.4f %9.4f", round.round(), round.honestRuns(), round.loopGain(),
                    round.noCoordinationGain(), round.naiveGain(), round.pooledGain(), round.oracleGain());
        }
        var g = r.gains();
        line(out, "   rounds %d+: loop %.4f vs no coordination %.4f vs naive averaging %.4f vs pooled %.4f (oracle %.4f),"
                + " %d runs", g.fromRound(), g.loop(), g.noCoordination(), g.naive(), g.pooledGain(), g.oracle(), g.runs());
        line(out, "   captured improvement (loop - random)/(oracle - random): %.2f overall, %.2f rare, %.2f popular;"
                + " pooled %.2f", g.capturedImprovement(), g.rare().capturedImprovement(),
                g.popular().capturedImprovement(), g.pooledCapturedImprovement());
        line(out, "   loop captures %.2f of pooled's improvement over random", g.capturedVsPooled());
        out.append('\n');

        line(out, "2. How good is the recommended configuration? (rounds 1+; regret = true best - true gain of the pick)");
        line(out, "   %-15s %6s %10s %10s %10s %8s %8s %8s", "", "runs", "regret", "naive", "pooled", "top-3",
                "naive", "pooled");
        accuracy(out, "rare domains", r.rareDomains());
        accuracy(out, "popular domains", r.popularDomains());
        out.append('\n');

        var b = r.byzantine();
        line(out, "3. Byzantine packets");
        attack(out, "forged (another key)      ", b.forged());
        attack(out, "replayed with a change    ", b.tamperedReplays());
        var x = b.exactReplays();
        line(out, "   replayed byte-identical    %d sent, %d rejected; packets stored %d, expected %d: %d double-counted",
                x.sent(), x.rejected(), x.packetsStored(), x.packetsExpected(), x.doubleCounted());
        line(out, "   valid packets rejected     %d", b.validPacketsRejected());
        line(out, "   rejections by reason       %s", b.rejectionsByReason());
        line(out, "   Byzantine share of top-%d slots: %.1f%% before votes (round 0), %.1f%% after (round %d)",
                s.topK(), 100 * b.byzantineTopShareBeforeVotes(), 100 * b.byzantineTopShareAfterVotes(), s.rounds() - 1);
        var c = b.byzantineTopShareByClass();
        line(out, "     popular %.1f%% -> %.1f%%, rare %.1f%% -> %.1f%%, Sybil target %s", 100 * c.popularBefore(),
                100 * c.popularAfter(), 100 * c.rareBefore(), 100 * c.rareAfter(), p.sybilTargetDomain() == null
                        ? "(none)" : String.format(Locale.ROOT, "%.1f%% -> %.1f%%", 100 * c.sybilTargetBefore(),
                                100 * c.sybilTargetAfter()));
        var inflated = b.inflatedRecommendations();
        line(out, "   recommendations resting on a Byzantine packet (round 3+, domains with 3+ honest voters): %d of %d"
                + " (%d on a Sybil key's packet, %d in the Sybil target, %d citing no honest packet)",
                inflated.inflated(), inflated.asks(), inflated.fromSybilKeys(), inflated.inSybilTarget(),
                inflated.alone());
        line(out, "   honest votes: %d; on Byzantine packets %d (%d fail the 1/2 rule); on honest %d (%d fail);"
                + " Sybil vouches %d", b.honestVotes(), b.honestVotesOnByzantine(), b.honestVotesOnByzantineFailing(),
                b.honestVotesOnHonest(), b.honestVotesOnHonestFailing(), b.sybilVouches());
        out.append('\n');

        var o = r.opportunities();
        line(out, "4. Synthesis opportunities used");
        line(out, "   %d distinct node pairs of %d possible (N(N-1)/2 = %.4f%%); of %d same-domain pairs %.2f%%",
                o.pairsUsed(), o.possiblePairs(), 100 * o.shareOfPossible(), o.possiblePairsWithinDomains(),
                100 * o.shareOfWithinDomain());
        line(out, "   %d citations, %d of them of Byzantine packets", o.citations(), o.citationsOfByzantine());
        out.append('\n');

        line(out, "5. Query latency against packets stored");
        line(out, "   %-6s %9s %12s %12s %12s %12s", "round", "packets", "synth p50", "synth p99", "top-k p50",
                "top-k p99");
        for (var checkpoint : r.latency()) {
            line(out, "   %-6d %9d %10.2fms %10.2fms %10.2fms %10.2fms", checkpoint.round(), checkpoint.packetsStored(),
                    checkpoint.synthesis().p50Ms(), checkpoint.synthesis().p99Ms(), checkpoint.topK().p50Ms(),
                    checkpoint.topK().p99Ms());
        }
        out.append('\n');
        line(out, "6. Goals (from round 1 on)");
        r.goals().forEach(goal -> line(out, "   %s", SimulationGoals.describe(goal)));
        if (!r.warnings().isEmpty()) {
            out.append('\n');
            line(out, "Warnings:");
            r.warnings().forEach(w -> line(out, "   - %s", w));
        }
        return out.toString();
    }

    private static void accuracy(StringBuilder out, String label, SimulationReport.RecommendationAccuracy a) {
        line(out, "   %-15s %6d %10.4f %10.4f %10.4f %7.1f%% %7.1f%% %7.1f%%  (%d without evidence)", label, a.runs(),
                a.meanRegretRecommended(), a.meanRegretNaive(), a.meanRegretPooled(), 100 * a.recommendedTop3Rate(),
                100 * a.naiveTop3Rate(), 100 * a.pooledTop3Rate(), a.noEvidence());
    }

    private static void attack(StringBuilder out, String label, SimulationReport.Attack a) {
        line(out, "   %s %d sent, %d rejected (%.1f%%) %s", label, a.sent(), a.rejected(), a.rejectedPercent(),
                a.byReason());
    }

    private static void line(StringBuilder out, String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

}
