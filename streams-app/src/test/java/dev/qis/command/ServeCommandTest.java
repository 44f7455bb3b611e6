package dev.qis.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.app.QisApp;
import dev.qis.cli.QisCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code qis serve} refuses a configuration it cannot run with, before it starts anything. */
class ServeCommandTest {
    private final StringWriter err = new StringWriter();

    private int serve(Map<String, String> environment, String... args) {
        ServeCommand serve = new ServeCommand();
        serve.environment = environment;
        var cli = QisCommand.commandLine(new QisCommand()).addSubcommand(serve);
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 1];
        all[0] = "serve";
        System.arraycopy(args, 0, all, 1, args.length);
        return cli.execute(all);
    }

    @Test
    void withoutBootstrapServersItSaysHowToSetThem() {
        assertEquals(2, serve(Map.of()));
        String message = err.toString();
        assertTrue(message.contains("bootstrap.servers") && message.contains("QIS_BOOTSTRAP_SERVERS")
                && message.contains("--bootstrap-server"), message);
    }

    @Test
    void aWildcardApplicationServerIsRefused() {
        assertEquals(2, serve(Map.of("QIS_BOOTSTRAP_SERVERS", "localhost:9092"), "--application-server", "0.0.0.0:8080"));
        assertTrue(err.toString().contains("application.server"), err.toString());
        assertTrue(err.toString().contains("command line"), "names where the value came from: " + err);
    }

    @Test
    void aBadPortNamesItsSource() {
        assertEquals(2, serve(Map.of("QIS_BOOTSTRAP_SERVERS", "localhost:9092", "QIS_REST_PORT", "http")));
        assertTrue(err.toString().contains("QIS_REST_PORT"), err.toString());
    }

    @Test
    void aBadSchemaRegistryUrlIsAnInputErrorNamingItsSource() {
        assertEquals(2, serve(Map.of("QIS_BOOTSTRAP_SERVERS", "localhost:9092", "QIS_SCHEMA_REGISTRY_URL", "registry:8081")));
        assertTrue(err.toString().contains("schema.registry.url") && err.toString().contains("QIS_SCHEMA_REGISTRY_URL"),
                err.toString());
    }

    @Test
    void theLauncherHasServeAndQuery() {
        var cli = QisApp.commandLine();
        assertTrue(cli.getSubcommands().containsKey("serve"));
        assertTrue(cli.getSubcommands().containsKey("query"));
    }
}
