package dev.qis.fidelity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Synthesis (docs/elections.md): estimates the gain of every configuration the evidence ran, for the asking
 * context, and recommends the best one — a configuration some packet actually ran, never one assembled parameter
 * by parameter.
 *
 * <ol>
 *   <li>Each packet weighs its measurements (claim and backed reproductions, trust and decay applied by the
 *       caller) × its similarity to the asking context: 1 for the same task and family, lower across families
 *       and tasks, halved when no tag is shared.</li>
 *   <li>A configuration's estimate pools the packets of the same method by a Gaussian kernel over their
 *       hyperparameters (numbers on a log scale when positive, each normalized to the range the evidence spans;
 *       text and booleans must match), then shrinks toward the method's mean, itself shrunk toward the domain's
 *       (a prior of {@code priorWeight} samples at each level): a configuration seen once counts for little, a
 *       neighbourhood seen often for much.</li>
 *   <li>The recommendation is the configuration with the largest estimate; the exploration alternative the one
 *       with the largest upper bound (estimate + 1.96 · unitNoise / √(prior + weight)) among the others.</li>
 * </ol>
 * Ties break by the configuration's canonical text, so the answer is a function of the evidence alone.
 */
public final class Synthesis {
    private final FidelityParams params;

    public Synthesis(FidelityParams params) {
        this.params = params;
    }

    /** The context a recommendation is asked for. */
    public record Context(String family, String task, List<String> tags) {
        public Context {
            tags = List.copyOf(tags);
        }
    }

    /** (task? 1 : crossTask) · (family? 1 : crossFamily) · (½ + ½ · jaccard(tags)). */
    public double similarity(Context asking, Evidence e) {
        return (asking.task().equals(e.task()) ? 1.0 : params.crossTaskWeight())
                * (asking.family().equals(e.family()) ? 1.0 : params.crossFamilyWeight())
                * (0.5 + 0.5 * jaccard(asking.tags(), e.tags()));
    }

    /** |A ∩ B| / |A ∪ B|; two empty tag sets are identical (1). */
    public static double jaccard(List<String> a, List<String> b) {
        Set<String> union = new HashSet<>(a);
        union.addAll(b);
        if (union.isEmpty()) {
            return 1.0;
        }
        Set<String> both = new HashSet<>(a);
        both.retainAll(b);
        return (double) both.size() / union.size();
    }

    /** The canonical text of a configuration: method, then the hyperparameters by name. */
    public static String configurationKey(String methodType, Map<String, Object> hyperparams) {
        StringBuilder key = new StringBuilder(methodType);
        new TreeMap<>(hyperparams).forEach((k, v) -> key.append('|').append(k).append('=')
                .append(v == null ? "" : v.getClass().getSimpleName().charAt(0) + v.toString()));
        return key.toString();
    }

    public Optional<Recommendation> recommend(Context asking, List<Evidence> evidence) {
        List<Weighted> weighted = new ArrayList<>();
        for (Evidence e : evidence) {
            double s = similarity(asking, e);
            double w = s * e.weight();
            if (w > 0 && Double.isFinite(w)) {
                weighted.add(new Weighted(e, w, s * e.weightedGain(), configurationKey(e.methodType(), e.hyperparams())));
            }
        }
        if (weighted.isEmpty()) {
            return Optional.empty();
        }
        double prior = params.priorWeight();
        double totalW = 0;
        double totalWG = 0;
        Map<String, List<Weighted>> byMethod = new TreeMap<>();
        for (Weighted x : weighted) {
            totalW += x.w;
            totalWG += x.wg;
            byMethod.computeIfAbsent(x.e.methodType(), m -> new ArrayList<>()).add(x);
        }
        double domainMean = totalWG / (prior + totalW);

        List<Estimate> estimates = new ArrayList<>();
        for (List<Weighted> members : byMethod.values()) {
            double mw = 0;
            double mwg = 0;
            for (Weighted x : members) {
                mw += x.w;
                mwg += x.wg;
            }
            double methodMean = (mwg + prior * domainMean) / (mw + prior);
            Coordinates coordinates = Coordinates.of(members);
            Map<String, Weighted> configurations = new TreeMap<>();
            for (Weighted x : members) {
                configurations.merge(x.key, x, (a, b) -> heavier(a, b));
            }
            for (Map.Entry<String, Weighted> c : configurations.entrySet()) {
                double[] at = coordinates.of(c.getValue().e);
                double w = 0;
                double wg = 0;
                List<Part> parts = new ArrayList<>();
                for (Weighted x : members) {
                    double k = coordinates.kernel(at, c.getValue().e, x.e, params.kernelWidth());
                    if (k > 0) {
                        w += k * x.w;
                        wg += k * x.wg;
                        if (k >= 0.5) {
                            parts.add(new Part(x, k * x.w));
                        }
                    }
                }
                double estimate = (wg + prior * methodMean) / (w + prior);
                double half = 1.96 * params.unitNoise() / Math.sqrt(w + prior);
                estimates.add(new Estimate(c.getKey(), c.getValue().e, estimate, half, w, parts));
            }
        }
        Comparator<Estimate> byEstimate = Comparator.comparingDouble(Estimate::estimate)
                .thenComparing(Estimate::key, Comparator.reverseOrder());
        Estimate best = estimates.stream().max(byEstimate).orElseThrow();
        Estimate explore = estimates.stream().filter(x -> x != best)
                .max(Comparator.comparingDouble((Estimate x) -> x.estimate + x.half)
                        .thenComparing(Estimate::key, Comparator.reverseOrder()))
                .orElse(null);

        List<Part> parts = new ArrayList<>(best.parts);
        parts.sort(Comparator.comparingDouble(Part::weight).reversed().thenComparing(p -> p.x.e.packetId()));
        List<Recommendation.Contribution> contributions = new ArrayList<>();
        Set<String> nodes = new TreeSet<>();
        for (Part p : parts) {
            contributions.add(new Recommendation.Contribution(p.x.e.packetId(), p.x.e.nodeId(), p.weight,
                    p.x.wg / p.x.w));
            nodes.add(p.x.e.nodeId());
        }
        Recommendation.Alternative alternative = explore == null ? null : new Recommendation.Alternative(
                explore.representative.methodType(), explore.representative.hyperparams(), explore.estimate,
                explore.estimate + explore.half, explore.parts.stream()
                        .sorted(Comparator.comparingDouble(Part::weight).reversed().thenComparing(p -> p.x.e.packetId()))
                        .map(p -> p.x.e.packetId()).toList());
        return Optional.of(new Recommendation(best.representative.methodType(),
                new LinkedHashMap<>(new TreeMap<>(best.representative.hyperparams())), best.estimate,
                best.estimate - best.half, best.estimate + best.half, parts.size(), nodes.size(),
                contributions.stream().map(Recommendation.Contribution::packetId).toList(), best.weight,
                contributions, alternative));
    }

    private static Weighted heavier(Weighted a, Weighted b) {
        int byWeight = Double.compare(a.w, b.w);
        if (byWeight != 0) {
            return byWeight > 0 ? a : b;
        }
        return a.e.packetId().compareTo(b.e.packetId()) <= 0 ? a : b;
    }

    private record Weighted(Evidence e, double w, double wg, String key) {
    }

    private record Part(Weighted x, double weight) {
    }

    private record Estimate(String key, Evidence representative, double estimate, double half, double weight,
                            List<Part> parts) {
    }

    /**
     * Hyperparameter coordinates of one method's evidence: each name whose values are all numbers becomes an axis
     * (log scale when all positive), normalized to the range the evidence spans; any other name must match.
     */
    private static final class Coordinates {
        private final List<String> axes;
        private final Map<String, double[]> range; // name → {min, span, log?1:0}

        private Coordinates(List<String> axes, Map<String, double[]> range) {
            this.axes = axes;
            this.range = range;
        }

        static Coordinates of(List<Weighted> members) {
            Set<String> names = new TreeSet<>();
            members.forEach(x -> names.addAll(x.e.hyperparams().keySet()));
            List<String> axes = new ArrayList<>();
            Map<String, double[]> range = new HashMap<>();
            for (String name : names) {
                boolean numeric = true;
                boolean positive = true;
                for (Weighted x : members) {
                    Object v = x.e.hyperparams().get(name);
                    if (v == null) {
                        continue;
                    }
                    if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                        numeric = false;
                        break;
                    }
                    positive &= n.doubleValue() > 0;
                }
                if (!numeric) {
                    continue;
                }
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
                for (Weighted x : members) {
                    if (x.e.hyperparams().get(name) instanceof Number n) {
                        double t = positive ? Math.log(n.doubleValue()) : n.doubleValue();
                        min = Math.min(min, t);
                        max = Math.max(max, t);
                    }
                }
                axes.add(name);
                range.put(name, new double[] {min, max - min, positive ? 1 : 0});
            }
            return new Coordinates(axes, range);
        }

        double[] of(Evidence e) {
            double[] x = new double[axes.size()];
            for (int i = 0; i < axes.size(); i++) {
                Object v = e.hyperparams().get(axes.get(i));
                double[] r = range.get(axes.get(i));
                if (v instanceof Number n) {
                    double t = r[2] == 1 ? Math.log(n.doubleValue()) : n.doubleValue();
                    x[i] = r[1] > 0 ? (t - r[0]) / r[1] : 0;
                } else {
                    x[i] = Double.NaN; // absent
                }
            }
            return x;
        }

        /** exp(−d²/2h²) when every non-numeric hyperparameter matches and both give the same names; else 0. */
        double kernel(double[] at, Evidence a, Evidence b, double width) {
            if (!a.hyperparams().keySet().equals(b.hyperparams().keySet())) {
                return 0;
            }
            for (Map.Entry<String, Object> h : a.hyperparams().entrySet()) {
                if (!range.containsKey(h.getKey()) && !h.getValue().equals(b.hyperparams().get(h.getKey()))) {
                    return 0;
                }
            }
            double[] other = of(b);
            double d2 = 0;
            for (int i = 0; i < at.length; i++) {
                if (!Double.isNaN(at[i])) {
                    d2 += (at[i] - other[i]) * (at[i] - other[i]);
                }
            }
            return Math.exp(-d2 / (2 * width * width));
        }
    }
}
