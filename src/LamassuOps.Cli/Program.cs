using LamassuOps.Core;

namespace LamassuOps.Cli;

/// <summary>
/// lamassuops: the LamassuOps cmdlets as a command, for hosts without PowerShell (systemd timers, CI).
/// <c>lamassuops Get-BunkerPairing --path /var/lib/nsecbunkerd/nsecbunker.db --json</c>.
/// </summary>
public static class Program
{
    public const int Success = 0;
    public const int CommandFailed = 1;
    public const int UsageError = 2;
    public const int Cancelled = 130;

    private const string TelemetryOptOut = "POWERSHELL_TELEMETRY_OPTOUT";
    private const string DiagnosticsOptOut = "POWERSHELL_DIAGNOSTICS_OPTOUT";

    public static int Main(string[] args)
    {
        // PowerShell's engine sends usage telemetry unless this is set: lamassuops runs on operators' hosts, so it
        // sends nothing (and skips loading the telemetry client, about 4 MiB). An operator's own setting stands.
        OptOut(TelemetryOptOut);
        // And it listens on a named pipe for Enter-PSHostProcess unless this is set: nobody debugs a one-shot command
        // that way, and creating the listener is about a tenth of a runspace's start.
        OptOut(DiagnosticsOptOut);
        // Before any connection: lamassuops is its own process and uses each connection from one thread. --version,
        // the start-up a script pays to ask, opens none and does not load SQLite for it.
        if (!AsksForVersion(args)) SqliteSetup.ForOwnProcess();
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        // Into a pipe or file, results are buffered (a write per line costs a system call each, which dominates with
        // millions of rows); on a terminal they show as they come.
        using var stdout = Console.IsOutputRedirected
            ? new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16) { AutoFlush = false }
            : Console.Out;
        if (RawArguments.FirstNotUtf8(args.Length) is { } bad)
        {
            Console.Error.WriteLine($"lamassuops: ArgumentNotUnicode: argument {bad + 1} is not valid UTF-8; .NET would turn its bytes into U+FFFD, " +
                "so the value is refused rather than changed. Give it in UTF-8 (`iconv -t UTF-8`).");
            return UsageError;
        }
        // As early as can be: finding the command loads PowerShell's engine, whose start the profile speeds too.
        if (args is [var command, ..]) StartupProfile.Start(command);
        var exitCode = Run(args, stdout, Console.Error, Console.In, !Console.IsInputRedirected && !Console.IsErrorRedirected, cancel.Token);
        try
        {
            stdout.Flush();
        }
        catch (IOException failure)
        {
            OutputNotWritten(Console.Error, failure);
            return CommandFailed;
        }
        return exitCode;
    }

    /// <summary>
    /// Stdout could not be written: a full disk or quota where it was sent (a reader that went away is not a failure:
    /// .NET drops what a closed pipe would have been given).
    /// </summary>
    internal static void OutputNotWritten(TextWriter stderr, IOException failure)
    {
        stderr.WriteLine($"lamassuops: OutputNotWritten: the output could not be written to stdout ({failure.Message}); what was not written is lost.");
        stderr.WriteLine("  fix: make room where stdout goes (df, quota), or send it elsewhere; a change the command made is in the database: " +
            "read it back with the matching Get- command.");
    }

    /// <summary>`lamassuops --version`: answered before anything else is loaded.</summary>
    private static bool AsksForVersion(string[] args) => args is ["--version", ..];

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TextReader stdin, bool interactive,
        CancellationToken cancellationToken)
    {
        // First and from this assembly (the module's version: one <Version> in Directory.Build.props builds both), so
        // that it loads neither PowerShell, the module nor the help: it is the start-up a script pays to ask.
        if (AsksForVersion(args))
        {
            stdout.WriteLine(typeof(Program).Assembly.GetName().Version?.ToString(3));
            return Success;
        }
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            (args.Length == 0 ? stderr : stdout).Write(Help().Overview(CommandCatalog.Commands));
            return args.Length == 0 ? UsageError : Success;
        }

        var definition = CommandCatalog.Find(args[0]);
        if (definition is null)
        {
            StartupProfile.Discard();
            stderr.WriteLine($"lamassuops: UnknownCommand: '{args[0]}' is not a lamassuops command. Run 'lamassuops --help' for the list.");
            return UsageError;
        }

        CliArguments arguments;
        try
        {
            arguments = CliArguments.Parse(definition, args[1..]);
        }
        catch (LamassuOpsException usage)
        {
            stderr.WriteLine($"lamassuops: {usage.ErrorId}: {usage.Message}");
            return UsageError;
        }
        if (arguments.Help)
        {
            stdout.Write(Help().ForCommand(definition));
            return Success;
        }

        // JSON lines need no view: the views are read for tables only.
        var views = arguments.Json ? new Dictionary<string, FormatView>() : FormatViews.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "formats"));
        return new CliSession(stdout, stderr, stdin, interactive).Run(arguments, views, cancellationToken);
    }

    /// <summary>The MAML help (800 KB of XML), read only when help is asked for: every other run would pay for it.</summary>
    private static HelpText Help() => new(Path.Combine(AppContext.BaseDirectory, "en-US", "LamassuOps.dll-Help.xml"));

    private static void OptOut(string variable)
    {
        if (Environment.GetEnvironmentVariable(variable) is null) Environment.SetEnvironmentVariable(variable, "1");
    }
}
