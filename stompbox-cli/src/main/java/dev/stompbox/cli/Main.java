package dev.stompbox.cli;

import dev.stompbox.protocol.StompBrokerException;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The {@code stompbox} command. Exit codes: 0 done; 1 the command ran and found a failure (messages
 * lost, malformed input); 2 bad usage; 3 could not do its work (connection refused, broker ERROR,
 * I/O).
 */
@Command(name = "stompbox", mixinStandardHelpOptions = false, versionProvider = Main.Version.class,
        description = "STOMP from the command line: bench, send, tail, decode, broker.",
        subcommands = {BenchCommand.class, SendCommand.class, TailCommand.class, DecodeCommand.class, BrokerCommand.class},
        footer = {"", "Exit codes: 0 done, 1 a failure found (lost messages, malformed input), 2 bad usage, 3 could not connect or run."})
public final class Main implements Runnable {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Option(names = {"-V"}, versionHelp = true, description = "Print the Stompbox version.")
    boolean version;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Stack traces on errors, and the clients' log (INFO and up: connects, losses, reconnects) on standard error.")
    boolean verbose;

    private final PrintStream out;

    Main(PrintStream out) {
        this.out = out;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(out);
    }

    /** The product version, from the jar manifest when packaged. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"stompbox " + (v != null ? v : "0.1.0-SNAPSHOT")};
        }
    }

    public static void main(String[] args) {
        if (java.util.Arrays.asList(args).contains("--verbose")) {
            // Before LogDefaults, which keeps a level already set; SLF4J reads it at its first logger.
            System.setProperty("org.slf4j.simpleLogger.log.dev.stompbox", "info");
        }
        LogDefaults.apply(); // not through EmbeddedBroker: loading it would load Artemis for every subcommand
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, System.in, out, err, System.console() != null));
    }

    /** Runs the command line; what {@link #main} does, minus the exit. */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err, boolean terminal) {
        CommandLine cl;
        if (args.length > 0 && args[0].equals("decode")) {
            // decode alone: picocli would build every subcommand, and with them load client classes.
            cl = new CommandLine(new DecodeCommand(in, out)).setCommandName("stompbox decode");
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        } else {
            cl = full(in, out, err, terminal);
        }
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean verbose = parseResult.matchedOption("--verbose") != null
                    || parseResult.subcommand() != null && parseResult.subcommand().matchedOption("--verbose") != null;
            if (verbose) {
                ex.printStackTrace(err);
            }
            err.println("stompbox " + commandLine.getCommandName() + ": " + oneLine(ex));
            return ex instanceof IllegalArgumentException ? 2 : 3;
        });
        return cl.execute(args);
    }

    private static CommandLine full(InputStream in, PrintStream out, PrintStream err, boolean terminal) {
        Main main = new Main(out);
        return new CommandLine(main, new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                Object o;
                if (type == BenchCommand.class) {
                    o = new BenchCommand(out, terminal);
                } else if (type == SendCommand.class) {
                    o = new SendCommand(in, out, err);
                } else if (type == TailCommand.class) {
                    o = new TailCommand(out, err);
                } else if (type == DecodeCommand.class) {
                    o = new DecodeCommand(in, out);
                } else if (type == BrokerCommand.class) {
                    o = new BrokerCommand(out);
                } else {
                    return CommandLine.defaultFactory().create(type);
                }
                return type.cast(o);
            }
        });
    }

    /**
     * The message on one line, followed by the broker's later ERRORs kept with it (RabbitMQ's
     * "Processing error" comes before the ERROR that names the cause).
     */
    static String oneLine(Throwable ex) {
        StringBuilder m = new StringBuilder(ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName());
        // A failure rethrown for the caller's thread keeps the original, and what it holds, as its cause.
        Throwable original = ex instanceof StompBrokerException && ex.getCause() instanceof StompBrokerException ? ex.getCause() : ex;
        for (Throwable later : original.getSuppressed()) {
            if (later instanceof StompBrokerException) {
                m.append("; then ").append(later.getMessage());
            }
        }
        return m.toString().replace('\n', ' ');
    }

}
