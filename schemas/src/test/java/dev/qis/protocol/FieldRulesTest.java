package dev.qis.protocol;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.protocol.avro.NodeKey;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.protocol.avro.ValidationReport;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The bounds of the protocol: timestamps from its epoch on, relative gains within ±100. */
class FieldRulesTest {
    static final NodeIdentity ALICE = NodeIdentity.generate();
    static final Instant BEFORE_EPOCH = FieldRules.PROTOCOL_EPOCH.minusMillis(1);

    /** name, the field the rule must name (null: accepted), a change to a typical packet. */
    static Stream<Arguments> packets() {
        return Stream.of(
            packet("typical", null, p -> { }),
            packet("issued at the epoch", null, p -> p.setIssuedAt(FieldRules.PROTOCOL_EPOCH)),
            packet("issued a millisecond before the epoch", "issued_at", p -> p.setIssuedAt(BEFORE_EPOCH)),
            packet("issued in 2000", "issued_at", p -> p.setIssuedAt(Instant.parse("2000-01-01T00:00:00Z"))),
            packet("issued in 1970", "issued_at", p -> p.setIssuedAt(Instant.EPOCH)),
            packet("issued before 1970", "issued_at", p -> p.setIssuedAt(Instant.ofEpochMilli(-1))),
            packet("gain of 99.9 from a zero baseline", null, p -> scores(p, 0.0, 9.99e-5, true)),
            packet("gain just over 100 from a zero baseline", "outcome_score", p -> scores(p, 0.0, 1.0001e-4, true)),
            packet("gain of -100, lower is better", null, p -> scores(p, 1.0, 101.0, false)),
            packet("loss of 100 times the baseline", null, p -> scores(p, 1.0, -99.0, true)),
            packet("loss of over 100 times the baseline", "outcome_score", p -> scores(p, 1.0, -100.5, true)),
            packet("huge scores, gain 99", null, p -> scores(p, 1e300, 1e302, true)),
            packet("outcome 1e303 over a tiny baseline", "outcome_score", p -> scores(p, 1e-9, 1e303, true)),
            packet("outcome 1e303 over a zero baseline", "outcome_score", p -> scores(p, 0.0, 1e303, true)),
            packet("difference overflowing to infinity", "outcome_score", p -> scores(p, -1.7e308, 1.7e308, true)),
            packet("baseline near zero, lower is better", "outcome_score", p -> scores(p, 1e-12, 0.5, false)),
            packet("NaN outcome", "outcome_score", p -> scores(p, 1.0, Double.NaN, true)),
            packet("infinite baseline", "baseline_score", p -> scores(p, Double.NEGATIVE_INFINITY, 1.0, true)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("packets")
    void packetRules(String name, String field, Consumer<OutcomePacket> change) {
        OutcomePacket p = OutcomePacket.newBuilder(TestPackets.typical().sign(ALICE).packet()).build();
        change.accept(p);
        expect(name, field, () -> FieldRules.check(p));
    }

    static Stream<Arguments> reports() {
        return Stream.of(
            Arguments.of("issued at the epoch", FieldRules.PROTOCOL_EPOCH, null),
            Arguments.of("issued a millisecond before the epoch", BEFORE_EPOCH, "issued_at"),
            Arguments.of("issued in 2000", Instant.parse("2000-06-01T00:00:00Z"), "issued_at"),
            Arguments.of("issued in 1970", Instant.EPOCH, "issued_at"));
    }

    @ParameterizedTest(name = "report {0} -> {2}")
    @MethodSource("reports")
    void reportRules(String name, Instant issuedAt, String field) {
        ValidationReport r = new ValidationReportBuilder().packetId("8ff8bb6992657811-0123456789abcdef")
                .observedScore(66.0).nEvalSamples(100).issuedAt(TestPackets.ISSUED).sign(ALICE).report();
        r.setIssuedAt(issuedAt);
        expect(name, field, () -> FieldRules.check(r));
    }

    static Stream<Arguments> nodeKeys() {
        return Stream.of(
            Arguments.of("registered at the epoch", FieldRules.PROTOCOL_EPOCH, null),
            Arguments.of("registered a millisecond before the epoch", BEFORE_EPOCH, "registered_at"),
            Arguments.of("registered in 2000", Instant.parse("2000-01-01T00:00:00Z"), "registered_at"),
            Arguments.of("registered in 1970", Instant.EPOCH, "registered_at"));
    }

    @ParameterizedTest(name = "node key {0} -> {2}")
    @MethodSource("nodeKeys")
    void nodeKeyRules(String name, Instant registeredAt, String field) {
        NodeKey key = ALICE.nodeKey(registeredAt);
        expect(name, field, () -> FieldRules.check(key));
    }

    private static void expect(String name, String field, org.junit.jupiter.api.function.Executable check) {
        if (field == null) {
            assertDoesNotThrow(check, name);
            return;
        }
        ProtocolException e = assertThrows(ProtocolException.class, check, name);
        assertEquals(ReasonCode.INVALID_FIELD, e.reason(), name);
        assertEquals(field, e.field(), name + ": " + e.detail());
        if (field.equals("issued_at") || field.equals("registered_at")) {
            assertTrue(e.detail().contains("protocol epoch " + FieldRules.PROTOCOL_EPOCH), name + ": " + e.detail());
        }
    }

    private static Arguments packet(String name, String field, Consumer<OutcomePacket> change) {
        return Arguments.of(name, field, change);
    }

    private static void scores(OutcomePacket p, double baseline, double outcome, boolean higherIsBetter) {
        p.getOutcome().setBaselineScore(baseline);
        p.getOutcome().setOutcomeScore(outcome);
        p.getOutcome().setHigherIsBetter(higherIsBetter);
    }
}
