package dev.qis.app;

import dev.qis.bench.BenchCommand;
import dev.qis.cli.LogSetup;
import dev.qis.cli.QisCommand;
import dev.qis.command.BrokerCommand;
import dev.qis.command.ChaosCommand;
import dev.qis.command.DemoCommand;
import dev.qis.command.QueryCommand;
import dev.qis.command.ServeCommand;
import dev.qis.simulation.cli.SimulateCommand;
import picocli.CommandLine;

/** The {@code qis} launcher's entry point: the producer commands, the simulator's and the stream app's own. */
public final class QisApp {
    private QisApp() {
    }

    public static CommandLine commandLine() {
        CommandLine cli = QisCommand.commandLine(new QisCommand());
        cli.addSubcommand(new SimulateCommand());
        cli.addSubcommand(new ServeCommand());
        cli.addSubcommand(new QueryCommand());
        cli.addSubcommand(new BrokerCommand());
        cli.addSubcommand(new DemoCommand());
        cli.addSubcommand(new BenchCommand());
        cli.addSubcommand(new ChaosCommand());
        return cli;
    }

    public static void main(String[] args) {
        LogSetup.configure(args, System.getenv()); // before the first logger: the console is for the app's own lines
        System.exit(commandLine().execute(args));
    }
}
