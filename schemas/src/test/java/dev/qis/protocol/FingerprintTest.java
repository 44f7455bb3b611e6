package dev.qis.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FingerprintTest {

    @ParameterizedTest(name = "{0} | {1} | [{2}] -> {3}")
    @CsvSource(delimiter = ';', value = {
        "llama-3-8b; clinical-note-summarization; healthcare,SOAP-notes,en-US; 8ff8bb6992657811",
        "llama-7b; legal-clause-extraction-en-ch; ; dae8b686abc90040",
    })
    void matchesTheReferencePrototype(String family, String task, String tags, String expected) {
        List<String> tagList = tags == null ? List.of() : List.of(tags.split(","));
        assertEquals(expected, Fingerprint.of(family, task, tagList).value());
    }

    @Test
    void tagOrderDoesNotMatter() {
        assertEquals(Fingerprint.of("f", "t", List.of("b", "a", "C")), Fingerprint.of("f", "t", List.of("C", "a", "b")));
    }

    @Test
    void tagListIsWrittenLikePython() {
        assertEquals("['SOAP-notes', 'en-US', 'healthcare']",
                Fingerprint.tagList(List.of("healthcare", "SOAP-notes", "en-US")));
        assertEquals("[]", Fingerprint.tagList(List.of()));
    }

    @Test
    void packetIdCarriesItsFingerprint() {
        PacketId id = PacketId.parse("8ff8bb6992657811-0123456789abcdef");
        assertEquals("8ff8bb6992657811", id.fingerprint().value());
        assertEquals("8ff8bb6992657811-0123456789abcdef", id.toString());
        assertTrue(PacketId.isValid(id.toString()));
    }

    @ParameterizedTest
    @CsvSource({"8ff8bb6992657811", "8ff8bb6992657811-0123", "8FF8BB6992657811-0123456789abcdef",
        "8ff8bb6992657811_0123456789abcdef", "zzf8bb6992657811-0123456789abcdef"})
    void malformedPacketIdsAreRefused(String bad) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> PacketId.parse(bad));
        assertEquals("packet_id", e.field());
    }
}
