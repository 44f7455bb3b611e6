package dev.qis.server;

import dev.qis.config.QisConfig;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** What the integration tests of one app instance share: starting it as {@code qis serve} does, reading its stores. */
final class RunningApp {
    private static final Duration STARTUP = Duration.ofSeconds(60);

    private RunningApp() {
    }

    /** A {@link QisServer} on a free local port, once it is RUNNING; fails the test otherwise. */
    static QisServer start(Properties props) throws IOException, InterruptedException {
        Properties withRest = new Properties();
        withRest.putAll(props);
        withRest.put(QisConfig.REST_PORT, "0"); // any free port: the app is told the real one as its application.server
        withRest.put(QisConfig.REST_BIND, "127.0.0.1");
        QisServer app = QisServer.start(new QisConfig(withRest), Clock.systemUTC());
        if (!app.awaitRunning(STARTUP)) {
            String state = app.streams().state().toString();
            app.close();
            throw new AssertionError("the app did not reach RUNNING within " + STARTUP + " (state " + state + ")");
        }
        return app;
    }

    /** Every entry of a key-value store of this instance. */
    static <V> Map<String, V> all(QisServer app, String store) {
        ReadOnlyKeyValueStore<String, V> s = app.streams().store(
                StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<String, V>keyValueStore()));
        Map<String, V> out = new HashMap<>();
        try (KeyValueIterator<String, V> it = s.all()) {
            it.forEachRemaining(kv -> out.put(kv.key, kv.value));
        }
        return out;
    }

    /** How many entries a key-value store holds over all of this instance's tasks (keys may repeat across tasks). */
    static long count(QisServer app, String store) {
        ReadOnlyKeyValueStore<String, Object> s = app.streams().store(
                StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<String, Object>keyValueStore()));
        long n = 0;
        try (KeyValueIterator<String, Object> it = s.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }
}
