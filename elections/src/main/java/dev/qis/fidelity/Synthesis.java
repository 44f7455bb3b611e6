package dev.qis.fidelity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Local synthesis (design §6): each packet weighs fidelity × similarity to the asking context; the method with
 * the largest total weight wins; for it, numeric hyperparameters take the weighted median, categorical ones the
 * weighted mode, and the expected gain is the weighted mean. Ties break by name, so answers are deterministic.
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

    /** 0.6·[same task] + 0.25·jaccard(tags) + 0.15·[same family], with the configured weights. */
    public double similarity(Context asking, Evidence e) {
        return (asking.task().equals(e.task()) ? params.sameTaskWeight() : 0.0)
                + params.tagJaccardWeight() * jaccard(asking.tags(), e.tags())
                + (asking.family().equals(e.family()) ? params.sameFamilyWeight() : 0.0);
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

    public Optional<Recommendation> recommend(Context asking, List<Evidence> evidence) {
        Map<String, Double> byMethod = new TreeMap<>();
        List<Weighted> weighted = new ArrayList<>();
        for (Evidence e : evidence) {
            double w = e.fidelity() * similarity(asking, e);
            if (w > 0 && Double.isFinite(w)) {
                weighted.add(new Weighted(e, w));
                byMethod.merge(e.methodType(), w, Double::sum);
            }
        }
        if (weighted.isEmpty()) {
            return Optional.empty();
        }
        String method = byMethod.entrySet().stream()
                .max(Map.Entry.<String, Double>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
                .orElseThrow().getKey();
        List<Weighted> used = weighted.stream().filter(x -> x.e.methodType().equals(method))
                .sorted(Comparator.comparing(x -> x.e.packetId())).toList();

        double total = 0;
        double gainSum = 0;
        Set<String> nodes = new TreeSet<>();
        Set<String> names = new TreeSet<>();
        for (Weighted x : used) {
            total += x.w;
            gainSum += x.w * x.e.gain();
            nodes.add(x.e.nodeId());
            names.addAll(x.e.hyperparams().keySet());
        }
        Map<String, Object> hyperparams = new LinkedHashMap<>();
        for (String name : names) {
            List<Weighted> numeric = new ArrayList<>();
            List<Weighted> categorical = new ArrayList<>();
            for (Weighted x : used) {
                Object v = x.e.hyperparams().get(name);
                if (v instanceof Number) {
                    numeric.add(x);
                } else if (v != null) {
                    categorical.add(x);
                }
            }
            // A parameter given mostly as numbers is numeric; stray text values do not turn it categorical.
            if (weightOf(numeric) >= weightOf(categorical)) {
                hyperparams.put(name, weightedMedian(name, numeric));
            } else {
                hyperparams.put(name, weightedMode(name, categorical));
            }
        }
        return Optional.of(new Recommendation(method, hyperparams, gainSum / total, used.size(), nodes.size(),
                used.stream().map(x -> x.e.packetId()).toList(), total));
    }

    private record Weighted(Evidence e, double w) {
    }

    private static double weightOf(List<Weighted> xs) {
        return xs.stream().mapToDouble(Weighted::w).sum();
    }

    /**
     * The lower weighted median: the smallest value whose cumulative weight reaches half the total. It is one of
     * the reported values, so an integer hyperparameter stays an integer (Long) unless any report gave a Double.
     */
    static Object weightedMedian(String name, List<Weighted> xs) {
        List<Weighted> sorted = new ArrayList<>(xs);
        sorted.sort(Comparator.comparingDouble(x -> ((Number) x.e.hyperparams().get(name)).doubleValue()));
        double half = weightOf(sorted) / 2.0;
        double cumulative = 0;
        Number chosen = null;
        for (Weighted x : sorted) {
            cumulative += x.w;
            if (cumulative >= half) {
                chosen = (Number) x.e.hyperparams().get(name);
                break;
            }
        }
        if (chosen == null) {
            chosen = (Number) sorted.get(sorted.size() - 1).e.hyperparams().get(name);
        }
        boolean allIntegral = sorted.stream().allMatch(x -> x.e.hyperparams().get(name) instanceof Long);
        return allIntegral ? (Object) chosen.longValue() : (Object) chosen.doubleValue();
    }

    /** The value with the largest total weight; ties go to the smallest value as text. */
    static Object weightedMode(String name, List<Weighted> xs) {
        Map<String, Double> totals = new TreeMap<>();
        Map<String, Object> values = new TreeMap<>();
        for (Weighted x : xs) {
            Object v = x.e.hyperparams().get(name);
            totals.merge(v.toString(), x.w, Double::sum);
            values.putIfAbsent(v.toString(), v);
        }
        String best = null;
        for (Map.Entry<String, Double> t : totals.entrySet()) {
            if (best == null || t.getValue() > totals.get(best)) {
                best = t.getKey();
            }
        }
        return values.get(best);
    }
}
