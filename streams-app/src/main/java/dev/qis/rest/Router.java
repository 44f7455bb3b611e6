package dev.qis.rest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds the route for a method and path and extracts its path parameters; literal segments win over parameters. */
public final class Router {
    private final List<Route> routes;

    /** The route a request matched, with its path parameters (already decoded). */
    public record Match(Route route, Map<String, String> pathParams) {
    }

    public Router(List<Route> routes) {
        this.routes = List.copyOf(routes);
        for (int i = 0; i < routes.size(); i++) {
            for (int j = i + 1; j < routes.size(); j++) {
                Route a = routes.get(i);
                Route b = routes.get(j);
                if (a.method().equals(b.method()) && a.template().equals(b.template())) {
                    throw new IllegalArgumentException("route declared twice: " + a.method() + " " + a.template());
                }
            }
        }
    }

    public List<Route> routes() {
        return routes;
    }

    /**
     * The route for a request, or a 404 problem when no template matches the path, or a 405 when one does but not
     * for this method. HEAD takes the GET route (the server sends its headers without the body).
     */
    public Match match(String method, String path) {
        List<String> segments = segments(path);
        boolean pathKnown = false;
        Match best = null;
        int bestLiterals = -1;
        for (Route route : routes) {
            Optional<Map<String, String>> params = bind(route.segments(), segments);
            if (params.isEmpty()) {
                continue;
            }
            pathKnown = true;
            if (!route.method().equals(method) && !("HEAD".equals(method) && "GET".equals(route.method()))) {
                continue;
            }
            int literals = (int) route.segments().stream().filter(s -> !isParam(s)).count();
            if (literals > bestLiterals) {
                best = new Match(route, params.get());
                bestLiterals = literals;
            }
        }
        if (best != null) {
            return best;
        }
        if (pathKnown) {
            throw ProblemException.methodNotAllowed(ProblemException.echo(method) + " is not supported on "
                    + ProblemException.echo(path));
        }
        throw ProblemException.notFound("no endpoint at " + ProblemException.echo(path));
    }

    private static Optional<Map<String, String>> bind(List<String> template, List<String> path) {
        if (template.size() != path.size()) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < template.size(); i++) {
            String t = template.get(i);
            String p = path.get(i);
            if (isParam(t)) {
                if (p.isEmpty()) {
                    return Optional.empty();
                }
                params.put(t.substring(1, t.length() - 1), ApiRequest.decode(p));
            } else if (!t.equals(p)) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }

    private static boolean isParam(String segment) {
        return segment.startsWith("{") && segment.endsWith("}");
    }

    static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/", -1)) {
            out.add(s);
        }
        if (!out.isEmpty() && out.get(0).isEmpty()) {
            out.remove(0);
        }
        if (out.size() > 1 && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1); // a trailing slash names the same resource
        }
        return out;
    }
}
