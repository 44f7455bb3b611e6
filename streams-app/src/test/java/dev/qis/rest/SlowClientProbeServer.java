package dev.qis.rest;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A REST server alone in its own JVM, for {@link RestServerSlowClientIT}: the JDK reads its connection limits once
 * per process, so only a fresh process shows the limits this server sets. Prints its port, serves
 * {@code /v1/ok} and {@code /threads} (the most REST threads seen at once), and stops when its input closes.
 */
public final class SlowClientProbeServer {
    static final int THREADS = 4;
    static final int QUEUE = 4;

    private SlowClientProbeServer() {
    }

    public static void main(String[] args) throws Exception {
        AtomicInteger peak = new AtomicInteger();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                int n = (int) Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith("qis-rest-")).count();
                peak.accumulateAndGet(n, Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "thread-sampler");
        sampler.setDaemon(true);
        sampler.start();
        try (RestServer server = new RestServer(new InetSocketAddress("127.0.0.1", 0), new SimpleMeterRegistry(),
                new RestServer.Capacity(THREADS, QUEUE)).start(new Router(List.of(
                Route.get("/v1/ok", r -> ApiResponse.json(Map.of("ok", true))),
                Route.get("/threads", r -> ApiResponse.json(Map.of("peak_rest_threads", peak.get(),
                        "all_threads", Thread.activeCount()))))))) {
            System.out.println("port " + server.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until the test closes our input
            }
        }
    }
}
