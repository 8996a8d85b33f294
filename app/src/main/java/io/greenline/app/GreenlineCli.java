package io.greenline.app;

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
 * The production {@code greenline} command line, the entrypoint of the container image: {@code streams},
 * {@code topics}, {@code simulate}, {@code replay}, {@code load} (docs/design.md section 9). Nothing here starts a
 * broker or a registry; the development commands {@code local} and {@code registry} are added by
 * {@code io.greenline.local.GreenlineCli} in the local-stack module (the {@code ./greenline} launcher and the
 * release tarball).
 */
@Command(name = "greenline", mixinStandardHelpOptions = true, versionProvider = GreenlineCli.Version.class,
        description = "Live OEE, defect rates and per-batch carbon intensity from factory event streams on Kafka Streams.",
        subcommands = {
            StreamsCommand.class,
            SimulateCommand.class,
            ReplayCommand.class,
            LoadCommand.class,
            TopicsCommand.class,
            CommandLine.HelpCommand.class})
public final class GreenlineCli implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The production command line, for tests and for the development CLI that adds its commands to it. */
    public static CommandLine commandLine() {
        return new CommandLine(new GreenlineCli()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The version from the jar manifest, or the development version when run from classes. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = GreenlineCli.class.getPackage().getImplementationVersion();
            return new String[] {"greenline " + (version == null ? "0.1.0-SNAPSHOT" : version),
                "Java " + Runtime.version()};
        }
    }
}
