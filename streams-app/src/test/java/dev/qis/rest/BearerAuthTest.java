package dev.qis.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.access.TokenFile;
import dev.qis.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BearerAuthTest {
    private static final String FIRST = "0123456789abcdef0123456789abcdef";
    private static final String SECOND = "second-token-of-the-deployment";

    @TempDir
    Path dir;

    private BearerAuth auth(boolean metricsOpen) throws Exception {
        Path f = dir.resolve("tokens");
        Files.writeString(f, FIRST + "\n" + SECOND + "\n");
        return new BearerAuth(TokenFile.read(f), metricsOpen);
    }

    @Test
    void everyHeaderHasItsOutcome() throws Exception {
        BearerAuth auth = auth(false);
        Map<String, BearerAuth.Outcome> cases = new LinkedHashMap<>();
        cases.put(null, BearerAuth.Outcome.MISSING);
        cases.put("", BearerAuth.Outcome.MISSING);
        cases.put("   ", BearerAuth.Outcome.MISSING);
        cases.put("Bearer " + FIRST, BearerAuth.Outcome.ACCEPTED);
        cases.put("bearer " + FIRST, BearerAuth.Outcome.ACCEPTED);
        cases.put("BEARER  " + SECOND + " ", BearerAuth.Outcome.ACCEPTED);
        cases.put("Bearer " + FIRST.substring(1), BearerAuth.Outcome.INVALID);
        cases.put("Bearer " + FIRST + "0", BearerAuth.Outcome.INVALID);
        cases.put("Bearer ", BearerAuth.Outcome.INVALID);
        cases.put("Bearer", BearerAuth.Outcome.INVALID);
        cases.put("Basic " + FIRST, BearerAuth.Outcome.INVALID);
        cases.put(FIRST, BearerAuth.Outcome.INVALID);
        cases.forEach((header, outcome) -> assertEquals(outcome, auth.check(header), "Authorization: " + header));
    }

    @Test
    void aRefusalIsA401WithItsReasonAndChallengeAndNeverTheToken() throws Exception {
        BearerAuth auth = auth(false);
        ProblemException missing = assertThrows(ProblemException.class, () -> auth.require(null));
        assertEquals(401, missing.problem().status());
        assertEquals("missing", missing.problem().reason());
        assertEquals("Bearer realm=\"qis\"", missing.challenge().orElseThrow());
        ProblemException invalid = assertThrows(ProblemException.class, () -> auth.require("Bearer guess-" + FIRST));
        assertEquals("invalid", invalid.problem().reason());
        assertEquals("Bearer realm=\"qis\", error=\"invalid_token\"", invalid.challenge().orElseThrow());
        assertFalse(invalid.problem().detail().contains(FIRST), invalid.problem().detail());
        auth.require("Bearer " + SECOND); // accepted: no exception
    }

    @Test
    void theProbesAndTheConsolesFilesAreOpenAndMetricsOnlyWhenAsked() throws Exception {
        BearerAuth closed = auth(false);
        for (String open : new String[] {"/health/live", "/health/ready", "/", "/ui/{asset}"}) {
            assertTrue(closed.isOpen(open), open);
        }
        for (String guarded : new String[] {"/metrics", "/v1/domains", "/v1/instances", "/openapi.yaml",
                "/v1/simulation"}) {
            assertFalse(closed.isOpen(guarded), guarded);
        }
        assertTrue(auth(true).isOpen("/metrics"));
    }

    @Test
    void aTokenAddedToTheFileIsAcceptedOnceTheFileIsReadAgain() throws Exception {
        BearerAuth auth = auth(false);
        String added = "a-token-added-while-running";
        Files.writeString(dir.resolve("tokens"), added + "\n" + FIRST + "\n");
        Wait.waitFor(() -> auth.check("Bearer " + added) == BearerAuth.Outcome.ACCEPTED, Duration.ofSeconds(10),
                () -> "the new token accepted");
        assertEquals(added, auth.ownToken());
        assertEquals(BearerAuth.Outcome.INVALID, auth.check("Bearer " + SECOND), "a removed token is refused");
    }
}
