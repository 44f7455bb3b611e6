package dev.qis.simulation.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qis.errors.Reason;
import dev.qis.simulation.SimulationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The scenario matrix of docs/simulation.md as a table: one row per scenario with its exact flags, each goal's
 * figure as the mean and [min, max] over the scenario's seeds, and a mark on each goal a seed missed. Reads the
 * runs listed in {@code runs.tsv} (written by {@code deploy/local/simulation-matrix.sh}): per line the scenario,
 * its flags, the seed and the JSON report's path relative to the file.
 */
public final class SimulationMatrix {
    public static final String RUNS_FILE = "runs.tsv";
    public static final String MATRIX_FILE = "matrix.md";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One run of a scenario: the JSON report of one seed. */
    public record Run(String scenario, String flags, long seed, JsonNode report) {
    }

    private SimulationMatrix() {
    }

    /** Reads {@code dir/runs.tsv} and the reports it names, writes {@code dir/matrix.md}, and returns its path. */
    public static Path write(Path dir) throws IOException {
        Path list = dir.resolve(RUNS_FILE);
        if (!Files.isRegularFile(list)) {
            throw new SimulationException(Reason.FILE_UNREADABLE,
                    "no " + RUNS_FILE + " in " + dir + " (deploy/local/simulation-matrix.sh writes it)");
        }
        List<Run> runs = new ArrayList<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(list)) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 4) {
                throw new SimulationException(Reason.MALFORMED_INPUT,
                        list + ":" + lineNo + ": expected 4 tab-separated fields (scenario, flags,"
                        + " seed, report), got " + f.length);
            }
            Path report = dir.resolve(f[3]);
            if (!Files.isRegularFile(report)) {
                throw new SimulationException(Reason.FILE_UNREADABLE,
                        list + ":" + lineNo + ": the report " + report + " is missing (the run failed?)");
            }
            long seed;
            try {
                seed = Long.parseLong(f[2].trim());
            } catch (NumberFormatException e) {
                throw new SimulationException(Reason.MALFORMED_INPUT, list + ":" + lineNo + ": not a seed: " + f[2], e);
            }
            runs.add(new Run(f[0], f[1], seed, JSON.readTree(report.toFile())));
        }
        Path out = dir.resolve(MATRIX_FILE);
        Files.writeString(out, render(runs));
        return out;
    }

    /** The markdown table of the runs, scenarios in first-seen order. */
    public static String render(List<Run> runs) {
        Map<String, List<Run>> byScenario = new LinkedHashMap<>();
        for (Run r : runs) {
            byScenario.computeIfAbsent(r.scenario(), k -> new ArrayList<>()).add(r);
        }
        List<String> goalIds = new ArrayList<>();
        Map<String, String> goalNames = new LinkedHashMap<>();
        for (Run r : runs) {
            for (JsonNode g : r.report().path("goals")) {
                if (!goalIds.contains(g.path("id").asText())) {
                    goalIds.add(g.path("id").asText());
                    goalNames.put(g.path("id").asText(), g.path("goal").asText());
                }
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("| scenario | flags | seeds |");
        goalIds.forEach(id -> out.append(' ').append(id).append(" |"));
        out.append("\n|---|---|---|");
        goalIds.forEach(id -> out.append("---|"));
        out.append('\n');
        for (Map.Entry<String, List<Run>> e : byScenario.entrySet()) {
            List<Run> rs = e.getValue();
            out.append("| ").append(e.getKey()).append(" | `").append(rs.get(0).flags().trim()).append("` | ");
            out.append(String.join(", ", rs.stream().map(r -> Long.toString(r.seed())).toList())).append(" |");
            for (String id : goalIds) {
                out.append(' ').append(cell(rs, id)).append(" |");
            }
            out.append('\n');
        }
        out.append('\n');
        out.append("Each cell: the goal's figure, mean [min, max] over the seeds; regret goals also give naive"
                + " averaging's regret (the bound) after \"vs\"; ✗ k/n marks a goal missed in k of the n seeds.\n\n");
        goalNames.forEach((id, name) -> out.append("- `").append(id).append("`: ").append(name).append('\n'));
        return out.toString();
    }

    private static String cell(List<Run> runs, String id) {
        List<Double> figures = new ArrayList<>();
        List<Double> bounds = new ArrayList<>();
        int missed = 0;
        for (Run r : runs) {
            for (JsonNode g : r.report().path("goals")) {
                if (g.path("id").asText().equals(id)) {
                    figures.add(g.path("figure").asDouble());
                    bounds.add(g.path("bound").asDouble());
                    missed += g.path("met").asBoolean() ? 0 : 1;
                }
            }
        }
        if (figures.isEmpty()) {
            return "–";
        }
        StringBuilder c = new StringBuilder(stat(figures));
        if (id.startsWith("regret-")) {
            c.append(" vs ").append(format(mean(bounds)));
        }
        if (missed > 0) {
            c.append(" ✗ ").append(missed).append('/').append(figures.size());
        }
        return c.toString();
    }

    private static String stat(List<Double> xs) {
        double min = xs.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = xs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return xs.size() == 1 ? format(xs.get(0))
                : format(mean(xs)) + " [" + format(min) + ", " + format(max) + "]";
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    private static String format(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? String.format(Locale.ROOT, "%.0f", x)
                : String.format(Locale.ROOT, "%.3f", x);
    }
}
