package dev.qis.fidelity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Synthesis (docs/elections.md): fits, per method, a smooth model of gain over the hyperparameters from the
 * evidence, and recommends the configuration where the model is highest — never one assembled parameter by
 * parameter.
 *
 * <ol>
 *   <li>Each packet weighs its measurements (trust and decay applied by the caller) × its similarity to the asking
 *       context: 1 for the same task and family, lower across families and tasks, halved when no tag is shared.
 *       A refuted packet (more backed refutations than reproductions) is left out: the runs that refuted it are
 *       evidence as their own packets, and the claim they refuted is not evidence of anything. A packet nobody has
 *       reproduced weighs at most the median weight of the reproduced ones ({@link #boundUnreproduced}), and the
 *       unproven packets of one configuration weigh together as much as the heaviest of them
 *       ({@link #poolUnproven}).</li>
 *   <li>Per method, hyperparameters that are numbers become axes (log scale when all positive, each normalized to
 *       the range the evidence spans); text and booleans must match. The model at a point is a kernel-weighted
 *       mean of the evidence (Gaussian kernel), shrunk toward the method's mean by a prior of {@code priorWeight}
 *       samples, the method's mean itself shrunk toward the domain's. The kernel width is chosen per method from
 *       {@link #WIDTHS} by leave-one-out error, so sparse evidence is smoothed more and dense evidence less.</li>
 *   <li>The points considered are every configuration the evidence ran and, while there are at most
 *       {@link #MAX_GRID} of them, every combination of values the evidence ran per axis: the model may recommend
 *       a combination between runs when its neighbourhood says so.</li>
 *   <li>The recommendation is the point with the largest estimate; the exploration alternative the other point with
 *       the largest upper bound (estimate + 1.96 · unitNoise / √(prior + kernel weight)).</li>
 * </ol>
 * Ties break by the configuration's canonical text, so the answer is a function of the evidence alone.
 */
public final class Synthesis {
    /** Kernel widths tried, in normalized hyperparameter units. */
    static final double[] WIDTHS = {0.1, 0.2, 0.35, 0.6};
    /** Most combinations of observed values considered per method and categorical setting. */
    static final int MAX_GRID = 512;
    /** A packet counts as evidence FOR a point when its kernel weight there is at least this. */
    static final double CITED_KERNEL = 0.5;
    /** Robust deviations above the evidence's median within which a packet keeps its whole weight. */
    static final double OUTLIER_K = 3.0;
    /** Smallest scale of the robust deviation, in gain units: evidence that agrees exactly spares no one. */
    static final double OUTLIER_SCALE_MIN = 0.01;
    /** Stands for an axis's value in a setting's key: configurations of one setting may differ there. */
    private static final Object AXIS = new Object();

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
            if (e.refuted()) {
                continue; // what the refuting runs observed is evidence as their own packets; the claim is not
            }
            double s = similarity(asking, e);
            double w = s * e.weight();
            if (w > 0 && Double.isFinite(w)) {
                weighted.add(new Weighted(e, w, s * e.weightedGain() / w));
            }
        }
        if (weighted.isEmpty()) {
            return Optional.empty();
        }
        weighted.sort(Comparator.comparing(x -> x.e.packetId()));
        weighted = discountOutliers(boundUnreproduced(poolUnproven(weighted)));
        double prior = params.priorWeight();
        double totalW = 0;
        double totalWG = 0;
        Map<String, List<Weighted>> byMethod = new TreeMap<>();
        for (Weighted x : weighted) {
            totalW += x.w;
            totalWG += x.w * x.gain;
            byMethod.computeIfAbsent(x.e.methodType(), m -> new ArrayList<>()).add(x);
        }
        double domainMean = totalWG / (prior + totalW);

        List<Estimate> estimates = new ArrayList<>();
        for (Map.Entry<String, List<Weighted>> method : byMethod.entrySet()) {
            estimates.addAll(new MethodModel(method.getKey(), method.getValue(), domainMean).estimates());
        }
        Comparator<Estimate> byEstimate = Comparator.comparingDouble(Estimate::estimate)
                .thenComparing(Estimate::key, Comparator.reverseOrder());
        Estimate best = estimates.stream().max(byEstimate).orElseThrow();
        Estimate explore = estimates.stream().filter(x -> x != best)
                .max(Comparator.comparingDouble((Estimate x) -> x.estimate + x.half)
                        .thenComparing(Estimate::key, Comparator.reverseOrder()))
                .orElse(null);
        // the evidence for a point, heaviest first (sorted only for the two points answered)
        Comparator<Part> heaviestFirst = Comparator.comparingDouble(Part::weight).reversed()
                .thenComparing(p -> p.x.e.packetId());
        best.parts.sort(heaviestFirst);
        if (explore != null) {
            explore.parts.sort(heaviestFirst);
        }

        List<Recommendation.Contribution> contributions = new ArrayList<>();
        Set<String> nodes = new TreeSet<>();
        for (Part p : best.parts) {
            contributions.add(new Recommendation.Contribution(p.x.e.packetId(), p.x.e.nodeId(), p.weight, p.x.gain));
            nodes.add(p.x.e.nodeId());
        }
        Recommendation.Alternative alternative = explore == null ? null : new Recommendation.Alternative(
                explore.methodType, explore.hyperparams, explore.estimate, explore.estimate + explore.half,
                explore.parts.stream().map(p -> p.x.e.packetId()).toList());
        return Optional.of(new Recommendation(best.methodType, best.hyperparams, best.estimate,
                best.estimate - best.half, best.estimate + best.half, best.parts.size(), nodes.size(),
                contributions.stream().map(Recommendation.Contribution::packetId).toList(), best.weight,
                contributions, alternative));
    }

    /**
     * More keys repeating a claim add nothing until someone measures it. The {@linkplain Evidence#unproven unproven}
     * packets of one configuration — nobody reproduced them, and their authors have earned no more trust than a fresh
     * key — weigh together as much as the heaviest of them, each its share of that. A key costs nothing to make, so a
     * claim repeated under many keys is worth one claim: a Sybil flood of one configuration counts as one run in the
     * fit and in the outlier statistics, instead of moving the domain's median to its own value. A packet that others
     * reproduced, and every packet of an author others have reproduced, keeps its weight: honest runs of a
     * recommended configuration count one by one once their authors have a run reproduced.
     */
    static List<Weighted> poolUnproven(List<Weighted> weighted) {
        Map<String, double[]> byConfiguration = new TreeMap<>(); // key → {sum, max}
        for (Weighted x : weighted) {
            if (x.e.unproven()) {
                double[] g = byConfiguration.computeIfAbsent(configurationKey(x.e.methodType(), x.e.hyperparams()),
                        k -> new double[2]);
                g[0] += x.w;
                g[1] = Math.max(g[1], x.w);
            }
        }
        List<Weighted> out = new ArrayList<>(weighted.size());
        for (Weighted x : weighted) {
            double[] g = x.e.unproven() ? byConfiguration.get(configurationKey(x.e.methodType(), x.e.hyperparams()))
                    : null;
            out.add(g == null || g[0] <= g[1] ? x : new Weighted(x.e, x.w * g[1] / g[0], x.gain));
        }
        return out;
    }

    /**
     * Self-reported weight buys no influence before anyone measured it. A packet's weight rests on its author's own
     * claim of its eval size and confidence until other nodes' runs reproduce it; so, when the evidence holds packets
     * others reproduced (S &gt; F), a packet that is not reproduced weighs at most the median weight of those — it
     * counts as a typical measured run, never as more than one. A reproduced packet keeps its whole weight, and so
     * does every packet while nothing in the evidence is reproduced (there is then no measured run to compare with).
     * The weights compared carry trust, decay and similarity alike.
     */
    static List<Weighted> boundUnreproduced(List<Weighted> weighted) {
        double[] measured = weighted.stream().filter(x -> x.e.reproduced()).mapToDouble(Weighted::w).sorted()
                .toArray();
        if (measured.length == 0) {
            return weighted;
        }
        double typical = measured[(measured.length - 1) / 2];
        List<Weighted> out = new ArrayList<>(weighted.size());
        for (Weighted x : weighted) {
            out.add(x.e.reproduced() || x.w <= typical ? x : new Weighted(x.e, typical, x.gain));
        }
        return out;
    }

    /**
     * Bounds what one uncorroborated packet far above the rest can do. With m the weighted median of the evidence's
     * gains and s its robust scale (1.4826 × the weighted median absolute deviation, at least
     * {@link #OUTLIER_SCALE_MIN}), a packet whose gain g exceeds m + K·s ({@link #OUTLIER_K}) keeps the weight
     * w · exp(−(g − m − K·s)² / 2s²): the chance, under a normal model of the rest, of a value that far beyond the
     * bound — one scale beyond keeps 61 % of its weight, two 14 %, four 0.03 %. A packet within the bound keeps its
     * weight, so does one below the median (nobody gains by understating a run), and so does one that a reproduced
     * packet (S &gt; F) of another node corroborates: it ran the same configuration and measured a gain within K·s of
     * it. Being reproduced itself does not spare a packet: one lucky reproduction of an inflated claim leaves its
     * measured gain far above the rest. So one node's claim of a gain no one else sees cannot outvote the rest, nor
     * can keys that only agree with each other (a Sybil actor's keys all claim the same), while a configuration that
     * really is better counts in full once another node's run of it has been reproduced (the exploration
     * alternative points there).
     */
    static List<Weighted> discountOutliers(List<Weighted> weighted) {
        if (weighted.size() < 3) {
            return weighted;
        }
        double median = weightedMedian(weighted, x -> x.gain);
        double mad = weightedMedian(weighted, x -> Math.abs(x.gain - median));
        double scale = Math.max(1.4826 * mad, OUTLIER_SCALE_MIN);
        double bound = OUTLIER_K * scale;
        Map<String, List<Weighted>> byConfiguration = new TreeMap<>();
        for (Weighted x : weighted) {
            byConfiguration.computeIfAbsent(configurationKey(x.e.methodType(), x.e.hyperparams()),
                    k -> new ArrayList<>()).add(x);
        }
        List<Weighted> out = new ArrayList<>(weighted.size());
        for (Weighted x : weighted) {
            double beyond = x.gain - median - bound;
            if (beyond <= 0 || corroborated(x, byConfiguration.get(configurationKey(x.e.methodType(),
                    x.e.hyperparams())), bound)) {
                out.add(x);
            } else {
                out.add(new Weighted(x.e, x.w * Math.exp(-beyond * beyond / (2 * scale * scale)), x.gain));
            }
        }
        return out;
    }

    private static boolean corroborated(Weighted x, List<Weighted> sameConfiguration, double bound) {
        for (Weighted other : sameConfiguration) {
            if (other.e.reproduced() && !other.e.nodeId().equals(x.e.nodeId())
                    && Math.abs(other.gain - x.gain) <= bound) {
                return true;
            }
        }
        return false;
    }

    /** The lower weighted median of f over the evidence (the smallest value with half the weight at or below it). */
    private static double weightedMedian(List<Weighted> weighted, java.util.function.ToDoubleFunction<Weighted> f) {
        double[][] pairs = new double[weighted.size()][];
        double total = 0;
        for (int i = 0; i < weighted.size(); i++) {
            pairs[i] = new double[] {f.applyAsDouble(weighted.get(i)), weighted.get(i).w};
            total += weighted.get(i).w;
        }
        java.util.Arrays.sort(pairs, (a, b) -> Double.compare(a[0], b[0]));
        double acc = 0;
        for (double[] p : pairs) {
            acc += p[1];
            if (acc >= total / 2) {
                return p[0];
            }
        }
        return pairs[pairs.length - 1][0];
    }

    /** One packet as evidence: its similarity-weighted weight and its weighted mean gain. */
    private record Weighted(Evidence e, double w, double gain) {
    }

    /** A packet's part in a point's estimate: its kernel weight there, heaviest first. */
    private record Part(Weighted x, double weight) {
    }

    private record Estimate(String key, String methodType, Map<String, Object> hyperparams, double estimate,
                            double half, double weight, List<Part> parts) {
    }

    /** One method's evidence: its axes, its kernel width, its points and their estimates. */
    private final class MethodModel {
        private final String method;
        private final List<Weighted> members;
        private final double methodMean;
        private final List<String> axes = new ArrayList<>();
        private final Map<String, double[]> range = new TreeMap<>(); // axis → {min, span, log ? 1 : 0}
        private final double[][] at; // members' coordinates
        /** Members' settings: the kernel is 0 between members of different settings ({@link #settingOf}). */
        private final int[] setting;
        private final Map<List<Object>, Integer> settings = new HashMap<>();

        MethodModel(String method, List<Weighted> members, double domainMean) {
            this.method = method;
            this.members = members;
            double mw = 0;
            double mwg = 0;
            for (Weighted x : members) {
                mw += x.w;
                mwg += x.w * x.gain;
            }
            this.methodMean = (mwg + params.priorWeight() * domainMean) / (mw + params.priorWeight());
            Set<String> names = new TreeSet<>();
            members.forEach(x -> names.addAll(x.e.hyperparams().keySet()));
            for (String name : names) {
                boolean numeric = true;
                boolean positive = true;
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
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
            this.at = new double[members.size()][];
            this.setting = new int[members.size()];
            for (int i = 0; i < members.size(); i++) {
                at[i] = coordinates(members.get(i).e.hyperparams());
                List<Object> key = settingKey(members.get(i).e.hyperparams());
                setting[i] = settings.computeIfAbsent(key, k -> settings.size());
            }
        }

        /**
         * What must match for the kernel to be above 0: the hyperparameters' names, and the value of each that is
         * not an axis. Two configurations of one setting differ only along the axes.
         */
        private List<Object> settingKey(Map<String, Object> hp) {
            List<Object> key = new ArrayList<>(2 * hp.size());
            for (Map.Entry<String, Object> h : new TreeMap<>(hp).entrySet()) {
                key.add(h.getKey());
                key.add(range.containsKey(h.getKey()) ? AXIS : h.getValue());
            }
            return key;
        }

        /** The setting of a configuration, or -1 when no member shares it (every kernel weight there is 0). */
        private int settingOf(Map<String, Object> hp) {
            return settings.getOrDefault(settingKey(hp), -1);
        }

        List<Estimate> estimates() {
            double width = chooseWidth();
            List<Estimate> out = new ArrayList<>();
            for (Map.Entry<String, Map<String, Object>> configuration : points().entrySet()) {
                Map<String, Object> point = configuration.getValue();
                int pointSetting = settingOf(point);
                double[] x = coordinates(point);
                double w = 0;
                double wg = 0;
                List<Part> parts = new ArrayList<>();
                for (int j = 0; j < members.size(); j++) {
                    if (setting[j] != pointSetting) {
                        continue; // kernel 0
                    }
                    double k = kernel(x, at[j], width);
                    if (k > 0) {
                        w += k * members.get(j).w;
                        wg += k * members.get(j).w * members.get(j).gain;
                        if (k >= CITED_KERNEL) {
                            parts.add(new Part(members.get(j), k * members.get(j).w));
                        }
                    }
                }
                if (parts.isEmpty()) {
                    continue; // nothing ran near enough to stand for this point
                }
                double estimate = (wg + params.priorWeight() * methodMean) / (w + params.priorWeight());
                double half = 1.96 * params.unitNoise() / Math.sqrt(w + params.priorWeight());
                out.add(new Estimate(configuration.getKey(), method, point, estimate, half, w, parts));
            }
            return out;
        }

        /** The width with the smallest weighted leave-one-out squared error (ties: the narrower). */
        private double chooseWidth() {
            if (members.size() < 3) {
                return WIDTHS[0];
            }
            int n = members.size();
            double[] k = new double[n * n]; // the kernel between members i and j at one width; symmetric
            double bestWidth = WIDTHS[0];
            double bestError = Double.POSITIVE_INFINITY;
            for (double width : WIDTHS) {
                for (int i = 0; i < n; i++) {
                    for (int j = i + 1; j < n; j++) {
                        if (setting[i] == setting[j]) {
                            k[i * n + j] = kernel(at[i], at[j], width);
                            k[j * n + i] = k[i * n + j];
                        }
                    }
                }
                double error = 0;
                for (int i = 0; i < n; i++) {
                    double w = 0;
                    double wg = 0;
                    for (int j = 0; j < n; j++) {
                        // a member of another setting adds exactly 0 (weights and gains are finite)
                        if (j != i && setting[i] == setting[j]) {
                            w += k[i * n + j] * members.get(j).w;
                            wg += k[i * n + j] * members.get(j).w * members.get(j).gain;
                        }
                    }
                    double predicted = (wg + params.priorWeight() * methodMean) / (w + params.priorWeight());
                    double d = members.get(i).gain - predicted;
                    error += members.get(i).w * d * d;
                }
                if (error < bestError - 1e-15) {
                    bestError = error;
                    bestWidth = width;
                }
            }
            return bestWidth;
        }

        /**
         * Every configuration run, and every combination of run values per axis within one categorical setting, by
         * {@link #configurationKey}.
         */
        private Map<String, Map<String, Object>> points() {
            Map<String, Map<String, Object>> points = new TreeMap<>();
            Map<String, List<Map<String, Object>>> bySetting = new TreeMap<>();
            for (Weighted x : members) {
                Map<String, Object> hp = new TreeMap<>(x.e.hyperparams());
                points.putIfAbsent(configurationKey(method, hp), hp);
                Map<String, Object> setting = new TreeMap<>(hp);
                setting.keySet().removeAll(axes);
                bySetting.computeIfAbsent(configurationKey(method, setting) + "#" + new TreeSet<>(hp.keySet()),
                        k -> new ArrayList<>()).add(hp);
            }
            for (List<Map<String, Object>> group : bySetting.values()) {
                List<String> present = axes.stream().filter(a -> group.get(0).containsKey(a)).toList();
                List<List<Object>> values = new ArrayList<>();
                long combinations = 1;
                for (String axis : present) {
                    Map<String, Object> distinct = new TreeMap<>();
                    for (Map<String, Object> hp : group) {
                        Object v = hp.get(axis);
                        distinct.putIfAbsent(v.getClass().getSimpleName() + v, v);
                    }
                    values.add(new ArrayList<>(distinct.values()));
                    combinations *= distinct.size();
                }
                if (combinations > MAX_GRID) {
                    continue;
                }
                Map<String, Object> base = new TreeMap<>(group.get(0));
                addCombinations(points, base, present, values, 0);
            }
            return points;
        }

        private void addCombinations(Map<String, Map<String, Object>> points, Map<String, Object> base,
                                     List<String> present, List<List<Object>> values, int axis) {
            if (axis == present.size()) {
                Map<String, Object> point = new TreeMap<>(base);
                points.putIfAbsent(configurationKey(method, point), point);
                return;
            }
            for (Object v : values.get(axis)) {
                base.put(present.get(axis), v);
                addCombinations(points, base, present, values, axis + 1);
            }
        }

        private double[] coordinates(Map<String, Object> hp) {
            double[] x = new double[axes.size()];
            for (int i = 0; i < axes.size(); i++) {
                double[] r = range.get(axes.get(i));
                if (hp.get(axes.get(i)) instanceof Number n) {
                    double t = r[2] == 1 ? Math.log(n.doubleValue()) : n.doubleValue();
                    x[i] = r[1] > 0 ? (t - r[0]) / r[1] : 0;
                } else {
                    x[i] = Double.NaN;
                }
            }
            return x;
        }

        /**
         * exp(−d²/2h²) between two configurations of one setting (the same names, every non-axis hyperparameter
         * equal); between settings the kernel is 0 and the callers skip the pair.
         */
        private static double kernel(double[] xa, double[] xb, double width) {
            double d2 = 0;
            for (int i = 0; i < xa.length; i++) {
                if (!Double.isNaN(xa[i]) && !Double.isNaN(xb[i])) {
                    d2 += (xa[i] - xb[i]) * (xa[i] - xb[i]);
                }
            }
            return Math.exp(-d2 / (2 * width * width));
        }
    }
}
