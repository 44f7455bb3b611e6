package dev.qis.bench;

import dev.qis.protocol.PacketId;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.avro.OutcomePacket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The router of the articles, as the baseline: every packet kept in one list; a query scans every packet, keeps
 * those of the domain (or fingerprint) and averages. No elections, no index. Runs in the benchmark's process, so its
 * latencies leave out HTTP: the ratio to the app is conservative.
 */
final class NaiveRouter {
    private record Entry(String id, String task, String family, String fingerprint, String method, double gain,
                         double score) { }

    private final List<Entry> packets = new ArrayList<>();

    void add(byte[] bytes) {
        OutcomePacket p = ProtocolCodec.decodePacket(bytes);
        double gain = p.getOutcome().getOutcomeScore() - p.getOutcome().getBaselineScore();
        if (!p.getOutcome().getHigherIsBetter()) {
            gain = -gain;
        }
        double score = gain * p.getValidation().getConfidence() * Math.sqrt(p.getValidation().getNEvalSamples());
        packets.add(new Entry(p.getPacketId(), p.getContext().getTask(), p.getContext().getBaseModelFamily(),
                PacketId.fingerprintOf(p.getPacketId()).value(), p.getMethod().getMethodType(), gain, score));
    }

    int size() {
        return packets.size();
    }

    /** The k best-scored packets of a domain; empty when it has none. */
    List<String> top(String domain, int k) {
        PriorityQueue<Entry> best = new PriorityQueue<>(Comparator.comparingDouble(Entry::score));
        for (Entry e : packets) {
            if (e.task().equals(domain)) {
                best.add(e);
                if (best.size() > k) {
                    best.poll();
                }
            }
        }
        List<String> out = new ArrayList<>(best.size());
        while (!best.isEmpty()) {
            out.add(0, best.poll().id());
        }
        return out;
    }

    /** The method with the best mean gain among a domain's packets of a family; null when there are none. */
    String synthesis(String domain, String family) {
        Map<String, double[]> sums = new HashMap<>();
        for (Entry e : packets) {
            if (e.task().equals(domain) && e.family().equals(family)) {
                add(sums, e);
            }
        }
        return best(sums);
    }

    /** The method with the best mean gain among a fingerprint's packets; null when there are none. */
    String fingerprintSynthesis(String fingerprint) {
        Map<String, double[]> sums = new HashMap<>();
        for (Entry e : packets) {
            if (e.fingerprint().equals(fingerprint)) {
                add(sums, e);
            }
        }
        return best(sums);
    }

    private static void add(Map<String, double[]> sums, Entry e) {
        double[] s = sums.computeIfAbsent(e.method(), m -> new double[2]);
        s[0] += e.gain();
        s[1] += 1;
    }

    private static String best(Map<String, double[]> sums) {
        String best = null;
        double bestMean = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, double[]> s : sums.entrySet()) {
            double mean = s.getValue()[0] / s.getValue()[1];
            if (mean > bestMean) {
                bestMean = mean;
                best = s.getKey();
            }
        }
        return best;
    }
}
