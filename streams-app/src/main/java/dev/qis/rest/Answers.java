package dev.qis.rest;

import dev.qis.query.Answer;
import dev.qis.query.PeerClient;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A read path answer as HTTP: a value read here as JSON with {@code Qis-Read-From} (and {@code Qis-Lag} for a
 * standby), the owner's answer passed back as it came, a missing thing as a 404.
 */
final class Answers {
    private Answers() {
    }

    static <T> ApiResponse respond(Answer<T> answer, Function<T, Object> body) {
        if (answer instanceof Answer.Found<T> found) {
            return freshness(ApiResponse.json(body.apply(found.value())), found.readFrom(), found.lag());
        }
        if (answer instanceof Answer.Missing<T> missing) {
            throw ProblemException.notFound(missing.detail());
        }
        return passedBack(((Answer.Passed<T>) answer).response());
    }

    static ApiResponse freshness(ApiResponse answer, String readFrom, Long lag) {
        Map<String, String> headers = new HashMap<>(answer.headers());
        headers.put(PeerClient.READ_FROM_HEADER, readFrom);
        if (lag != null) {
            headers.put(PeerClient.LAG_HEADER, Long.toString(lag));
        }
        return new ApiResponse(answer.status(), answer.contentType(), answer.body(), headers);
    }

    private static ApiResponse passedBack(PeerClient.PeerResponse answer) {
        Map<String, String> headers = new HashMap<>(answer.freshness());
        answer.retryAfter().ifPresent(v -> headers.put("Retry-After", v));
        return new ApiResponse(answer.status(), answer.contentType(), answer.body(), headers);
    }
}
