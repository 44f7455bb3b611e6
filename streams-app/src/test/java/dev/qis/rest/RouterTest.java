package dev.qis.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static final Route.Handler NONE = r -> ApiResponse.json(Map.of());
    private final Router router = new Router(List.of(
            Route.get("/v1/domains", NONE),
            Route.get("/v1/domains/{domain}/top", NONE),
            Route.get("/v1/packets/{packet_id}", NONE),
            Route.get("/v1/packets/latest", NONE)));

    @Test
    void bindsPathParametersDecoded() {
        Router.Match m = router.match("GET", "/v1/domains/clinical%2Dnotes/top");
        assertEquals("/v1/domains/{domain}/top", m.route().template());
        assertEquals(Map.of("domain", "clinical-notes"), m.pathParams());
    }

    @Test
    void literalSegmentsWinOverParameters() {
        assertEquals("/v1/packets/latest", router.match("GET", "/v1/packets/latest").route().template());
        assertEquals("/v1/packets/{packet_id}", router.match("GET", "/v1/packets/abc").route().template());
    }

    @Test
    void trailingSlashNamesTheSameResource() {
        assertEquals("/v1/domains", router.match("GET", "/v1/domains/").route().template());
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405() {
        assertEquals(404, assertThrows(ProblemException.class, () -> router.match("GET", "/v2/domains"))
                .problem().status());
        assertEquals(404, assertThrows(ProblemException.class, () -> router.match("GET", "/v1/domains//top"))
                .problem().status());
        assertEquals(405, assertThrows(ProblemException.class, () -> router.match("POST", "/v1/domains"))
                .problem().status());
    }

    @Test
    void aRouteDeclaredTwiceIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Router(List.of(
                Route.get("/a", NONE), Route.get("/a", NONE))));
    }

    @Test
    void queryParametersAreDecodedAndARepeatedOneIsRefused() {
        assertEquals(Map.of("tags", "a,b", "k", "3"), ApiRequest.parseQuery("tags=a%2Cb&k=3"));
        ProblemException e = assertThrows(ProblemException.class, () -> ApiRequest.parseQuery("k=1&k=2"));
        assertEquals(400, e.problem().status());
    }
}
