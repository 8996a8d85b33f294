package io.greenline.local;

import io.greenline.local.registry.RegistryCommand;
import io.greenline.local.topics.TopicsCommand;
import io.greenline.producers.load.LoadCommand;
import io.greenline.producers.replay.ReplayCommand;
import io.greenline.producers.sim.SimulateCommand;
import io.greenline.streams.app.StreamsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code greenline} command line (DESIGN.md section 9): {@code local}, {@code streams},
 * {@code simulate}, {@code replay}, {@code load}, {@code topics}, {@code registry}. Run through the {@code ./greenline}
 * launcher script at the repository root.
 */
@Command(name = "greenline", mixinStandardHelpOptions = true, versionProvider = GreenlineCli.Version.class,
        description = "Live OEE, defect rates and per-batch carbon intensity from factory event streams on Kafka Streams.",
        subcommands = {
            LocalCommand.class,
            StreamsCommand.class,
            SimulateCommand.class,
            ReplayCommand.class,
            LoadCommand.class,
            TopicsCommand.class,
            RegistryCommand.class,
            CommandLine.HelpCommand.class})
public final class GreenlineCli implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The command line with every subcommand, for tests and embedding. */
    public static CommandLine commandLine() {
        return new CommandLine(new GreenlineCli()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The version from the jar manifest, or the development version when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = GreenlineCli.class.getPackage().getImplementationVersion();
            return new String[] {"greenline " + (version == null ? "0.1.0-SNAPSHOT" : version),
                "Java " + Runtime.version()};
        }
    }
}
