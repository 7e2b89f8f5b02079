package io.zeroframe.samples;

import picocli.CommandLine;

/** What the command-line tools ({@code info}, {@code preview}) share; this package is not exported. */
public final class CommandLines {
    private CommandLines() {}

    /**
     * A picocli command line for {@code command} that reports an error as one line on stderr: {@code NAME: message}
     * with exit status 1 for a failure, {@code NAME: message (see NAME --help)} with the usage status for bad input.
     */
    public static CommandLine oneLineErrors(String name, Object command) {
        CommandLine line = new CommandLine(command);
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(name + ": " + e.getMessage());
            return 1;
        });
        line.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println(name + ": " + e.getMessage() + " (see " + name + " --help)");
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        return line;
    }
}
