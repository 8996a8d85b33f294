package io.greenline.local.topics;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

import io.greenline.local.topics.TopicProvisioner.Outcome;
import io.greenline.local.topics.TopicProvisioner.Report;
import io.greenline.local.topics.TopicProvisioner.Settings;
import io.greenline.local.topics.TopicProvisioner.Status;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code greenline topics}: creates every Greenline topic with the right partitions, compaction and
 * retention; safe to run again (see {@link TopicProvisioner}).
 *
 * <p>Exit codes: 0 when every topic exists afterwards (differences from the planned layout are
 * printed as warnings), 1 when the cluster could not be reached or a topic could not be created,
 * 2 for bad options.
 */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create the Greenline topics with the right partitions, compaction and retention. "
                + "Existing topics are reported, not changed; differences are printed as warnings.")
public final class TopicsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,...]",
            defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka bootstrap servers (env KAFKA_BOOTSTRAP_SERVERS; default ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "Properties file of admin client settings (security.protocol, sasl.*, ssl.*).")
    Path commandConfig;

    @Option(names = "--partitions", defaultValue = "" + TopicProvisioner.DEFAULT_PARTITIONS,
            description = "Partitions per topic (default ${DEFAULT-VALUE}; _schemas always has 1).")
    int partitions;

    @Option(names = "--replication-factor",
            description = "Replication factor (default: min(3, number of brokers)).")
    Short replicationFactor;

    @Option(names = "--retention-hours", defaultValue = "168",
            description = "retention.ms of the input event topics, in hours (default ${DEFAULT-VALUE} = 7 days).")
    long inputRetentionHours;

    @Option(names = "--output-retention-hours", defaultValue = "720",
            description = "retention.ms of the output topics and mfg.dlq, in hours (default ${DEFAULT-VALUE} = 30 days).")
    long outputRetentionHours;

    /** For picocli. */
    public TopicsCommand() {
    }

    /** From code: run with {@code new CommandLine(new TopicsCommand()).execute(args)}, or use the provisioner. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new TopicsCommand()).execute(args));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Settings settings;
        Properties adminConfig;
        try {
            settings = settings();
            adminConfig = adminConfig();
        } catch (IllegalArgumentException | IOException e) {
            err.println("topics: " + e.getMessage());
            return 2;
        }
        try (Admin admin = Admin.create(adminConfig)) {
            Report report = new TopicProvisioner(admin).provision(settings);
            print(report, out, err);
            return 0;
        } catch (ExecutionException e) {
            err.println("topics: cannot create topics on " + bootstrapServers + ": " + e.getCause());
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("topics: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("topics: interrupted");
            return 1;
        }
    }

    Settings settings() {
        if (inputRetentionHours < 1 || outputRetentionHours < 1) {
            throw new IllegalArgumentException("retention must be at least 1 hour");
        }
        return new Settings(partitions, Optional.ofNullable(replicationFactor),
                Duration.ofHours(inputRetentionHours), Duration.ofHours(outputRetentionHours));
    }

    Properties adminConfig() throws IOException {
        Properties config = new Properties();
        if (commandConfig != null) {
            try (InputStream in = Files.newInputStream(commandConfig)) {
                config.load(in);
            }
        }
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "greenline-topics");
        config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
        return config;
    }

    private static void print(Report report, PrintWriter out, PrintWriter err) {
        for (Outcome outcome : report.outcomes()) {
            String status = switch (outcome.status()) {
                case CREATED -> "created";
                case EXISTS -> "exists";
                case EXISTS_WITH_DIFFERENCES -> "differs";
            };
            out.printf("%-8s %-22s partitions=%d replication-factor=%d %s%n", status, outcome.plan().name(),
                    outcome.plan().partitions(), outcome.plan().replicationFactor(), outcome.plan().configs());
        }
        for (String warning : report.warnings()) {
            err.println("WARNING: " + warning + " (left unchanged)");
        }
        out.printf("%d topics: %d created, %d already existed, %d warning(s)%n", report.outcomes().size(),
                report.count(Status.CREATED),
                report.count(Status.EXISTS) + report.count(Status.EXISTS_WITH_DIFFERENCES),
                report.warnings().size());
        out.flush();
        err.flush();
    }
}
