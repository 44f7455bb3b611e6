package dev.qis.rest;

import dev.qis.protocol.FieldRules;
import dev.qis.protocol.Fingerprint;
import dev.qis.protocol.ProtocolException;
import dev.qis.query.Request;
import java.util.Arrays;
import java.util.List;

/** The checks of the query endpoints' parameters, each a 400 naming the parameter, and the query they make. */
final class QueryParams {
    /** How many records a copy that may be behind (a standby) may lag and still answer a keyed query. */
    static final String MAX_LAG = "max_lag";
    /**
     * The default {@value #MAX_LAG}: a standby that keeps up is a few records behind at most.
     */
    static final int DEFAULT_MAX_LAG = 10_000;
    /** The largest page any listing gives. */
    static final int MAX_PAGE = 1000;

    private QueryParams() {
    }

    /** The query as the read path takes it; {@value #MAX_LAG} is read here, after the endpoint's own parameters. */
    static Request query(ApiRequest request) {
        return new Request(request.pathAndQuery(), request.forwarded(), maxLag(request));
    }

    static int maxLag(ApiRequest request) {
        return request.intParam(MAX_LAG, DEFAULT_MAX_LAG, 0, Integer.MAX_VALUE);
    }

    static String domain(ApiRequest request) {
        String domain = request.pathParam("domain");
        try {
            FieldRules.checkTask(domain);
        } catch (ProtocolException e) {
            throw ProblemException.badRequest("domain " + e.detail());
        }
        return domain;
    }

    static String fingerprint(ApiRequest request) {
        String fp = request.pathParam("fingerprint");
        if (!Fingerprint.isValid(fp)) {
            throw ProblemException.badRequest("fingerprint must be 16 lower-case hex characters, got '"
                    + ProblemException.echo(fp) + "'");
        }
        return fp;
    }

    static String name(String param, String value) {
        try {
            FieldRules.checkName(param, value);
        } catch (ProtocolException e) {
            throw ProblemException.badRequest(e.detail()); // the detail names the parameter
        }
        return value;
    }

    static List<String> tags(ApiRequest request) {
        List<String> tags = request.param("tags").map(t -> Arrays.asList(t.split(",", -1))).orElse(List.of());
        try {
            FieldRules.checkTags(tags);
        } catch (ProtocolException e) {
            throw ProblemException.badRequest(e.detail());
        }
        return tags;
    }
}
