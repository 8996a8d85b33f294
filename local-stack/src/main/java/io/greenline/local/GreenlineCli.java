package io.greenline.local;

import io.greenline.local.registry.RegistryCommand;
import picocli.CommandLine;

/**
 * The development {@code greenline} command line: the production commands of {@link io.greenline.app.GreenlineCli}
 * ({@code streams}, {@code topics}, {@code simulate}, {@code replay}, {@code load}) plus {@code local} and
 * {@code registry}, which start a broker and the embedded registry on this machine. Run through the
 * {@code ./greenline} launcher at the repository root or {@code bin/greenline} of the release tarball.
 */
public final class GreenlineCli {

    /** The Log4j configuration of the development CLI: errors on the console, everything in a log file. */
    static final String LOG_CONFIG = "greenline-local-log4j2.xml";

    private GreenlineCli() {
    }

    /** Every command, for tests and embedding. */
    public static CommandLine commandLine() {
        CommandLine cli = io.greenline.app.GreenlineCli.commandLine();
        cli.addSubcommand(new CommandLine(new LocalCommand()).setCaseInsensitiveEnumValuesAllowed(true));
        cli.addSubcommand(new CommandLine(new RegistryCommand()).setCaseInsensitiveEnumValuesAllowed(true));
        return cli;
    }

    public static void main(String[] args) {
        // before the first logger exists: the console stays for the commands' own progress lines
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", LOG_CONFIG);
        }
        System.exit(commandLine().execute(args));
    }
}
