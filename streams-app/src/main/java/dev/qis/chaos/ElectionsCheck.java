package dev.qis.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one place that knows how {@code GET /v1/packets/{id}} states a packet's VOTE tally and citations, and compares
 * them with what the inputs say they must be: the number of voters counted, and each shown report (a page of them,
 * in reporter order) the voter's latest. When the elections' REST fields change, only this class changes.
 */
final class ElectionsCheck {
    /** What the inputs say: the number of distinct accepted packets citing this one, and each voter's latest report. */
    record Expected(long citations, Map<String, String> latestReportByVoter) {
        Expected {
            latestReportByVoter = Map.copyOf(latestReportByVoter);
        }
    }

    private ElectionsCheck() {
    }

    /** The differences between a packet's answer and the expectation; empty when they agree. */
    static List<String> compare(String packetId, JsonNode packet, Expected expected) {
        List<String> differences = new ArrayList<>();
        JsonNode elections = packet.path("elections");
        long citations = elections.path("citations").asLong(-1);
        if (citations != expected.citations()) {
            differences.add("packet " + packetId + ": " + citations + " citations stored, " + expected.citations()
                    + " distinct citing packets sent");
        }
        Map<String, String> stored = new TreeMap<>();
        for (JsonNode report : elections.path("reports")) {
            String previous = stored.put(report.path("reporter").asText(), report.path("report_id").asText());
            if (previous != null) {
                differences.add("packet " + packetId + ": voter " + report.path("reporter").asText()
                        + " is counted more than once");
            }
        }
        long votes = elections.path("votes").asLong(-1);
        if (votes != expected.latestReportByVoter().size()) {
            differences.add("packet " + packetId + ": " + votes + " voters counted, "
                    + expected.latestReportByVoter().size() + " voted");
        }
        // the answer shows one page of reports (reporter order); a later page is compared where it is shown
        TreeMap<String, String> sent = new TreeMap<>(expected.latestReportByVoter());
        Map<String, String> shown = elections.path("reports_next").isTextual()
                ? new TreeMap<>(sent.headMap(elections.path("reports_next").asText(), true))
                : sent;
        if (!stored.equals(shown)) {
            differences.add("packet " + packetId + ": votes stored " + stored + ", latest per voter sent " + shown);
        }
        return differences;
    }
}
