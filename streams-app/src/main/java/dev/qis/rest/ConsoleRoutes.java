package dev.qis.rest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The web console: a page at {@code /} and its scripts and styles at {@code /ui/{asset}}, served from the jar. The
 * page reads only the public API, so it works on any instance and through forwarding; {@code GET /v1/simulation}
 * is the one endpoint that exists for it (the loop chart).
 */
public final class ConsoleRoutes {
    static final String RESOURCE_DIR = "/console/";
    private static final Pattern ASSET = Pattern.compile("[a-z0-9][a-z0-9-]*\\.(js|css|svg)");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml");

    private final SimulationFeed simulation;

    public ConsoleRoutes(SimulationFeed simulation) {
        this.simulation = simulation;
    }

    public List<Route> routes() {
        return List.of(
                // the page reads ?poll (milliseconds between refreshes) itself; the server only has to accept it
                Route.get("/", Set.of("poll"), r -> resource("index.html")),
                Route.get("/ui/{asset}", r -> asset(r.pathParam("asset"))),
                Route.get("/v1/simulation", r -> simulation()));
    }

    private ApiResponse simulation() {
        return ApiResponse.json(simulation.snapshot().orElseThrow(() -> ProblemException.notFound(
                "no simulation runs beside this instance (qis demo runs one)")));
    }

    private static ApiResponse asset(String name) {
        if (!ASSET.matcher(name).matches()) {
            throw ProblemException.notFound("no console asset '" + ProblemException.echo(name) + "'");
        }
        return resource(name);
    }

    private static ApiResponse resource(String name) {
        try (InputStream in = ConsoleRoutes.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw ProblemException.notFound("no console asset '" + ProblemException.echo(name) + "'");
            }
            String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
            // the assets change with the jar, not while it runs; revalidating keeps an upgraded instance's page fresh
            return new ApiResponse(200, type, in.readAllBytes(), Map.of("Cache-Control", "no-cache",
                    "X-Content-Type-Options", "nosniff"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
