using System.Diagnostics;

namespace LamassuOps.Tests.Fixtures.Bunker;

/// <summary>What happened to one lamassuops run that a crash trial tried to kill.</summary>
/// <param name="Killed">SIGKILL reached the process before it exited by itself.</param>
/// <param name="HotJournalAtKill">
/// A non-empty rollback journal was left behind: the process died inside a write transaction (the journal
/// is deleted at commit).
/// </param>
/// <param name="ExitCode">The exit code when the run finished by itself.</param>
public sealed record CrashTrialOutcome(bool Killed, bool HotJournalAtKill, int? ExitCode, string Stderr);

/// <summary>
/// Crash trials: runs the built lamassuops as a child process and kills it with SIGKILL (no cleanup, no
/// finally blocks, like a power cut for the process) at a chosen moment: a delay after start, or a delay after
/// a file appears (the database's -journal, i.e. once the write transaction has started writing).
/// </summary>
public static class CrashTrial
{
    private static readonly TimeSpan GiveUp = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Runs to the end without killing, to learn the moments to spread kills over: how long the run took, and how long
    /// <paramref name="watchFile"/> (the -journal of the write transaction) existed before the run ended.
    /// </summary>
    public static (int ExitCode, string Stderr, TimeSpan Duration, TimeSpan FileLifetime) RunToEnd(IReadOnlyList<string> args, string watchFile)
    {
        using var process = Start(args);
        var stderr = process.StandardError.ReadToEndAsync();
        var watch = Stopwatch.StartNew();
        TimeSpan? appeared = null;
        while (!process.HasExited && watch.Elapsed < GiveUp)
        {
            if (appeared is null && File.Exists(watchFile)) appeared = watch.Elapsed;
            Thread.Sleep(1);
        }
        process.WaitForExit();
        var duration = watch.Elapsed;
        return (process.ExitCode, stderr.Result, duration, duration - (appeared ?? duration));
    }

    /// <summary>Kills the run <paramref name="delay"/> after it started.</summary>
    public static CrashTrialOutcome KillAfter(IReadOnlyList<string> args, string databasePath, TimeSpan delay) =>
        Run(args, databasePath, waitForFile: null, delay);

    /// <summary>Kills the run <paramref name="delay"/> after <paramref name="file"/> appeared (or when it exits first).</summary>
    public static CrashTrialOutcome KillAfterFileAppears(IReadOnlyList<string> args, string databasePath, string file,
        TimeSpan delay) =>
        Run(args, databasePath, file, delay);

    private static CrashTrialOutcome Run(IReadOnlyList<string> args, string databasePath, string? waitForFile, TimeSpan delay)
    {
        using var process = Start(args);
        var stderr = process.StandardError.ReadToEndAsync();
        var watch = Stopwatch.StartNew();

        if (waitForFile is not null)
            while (!File.Exists(waitForFile) && !process.HasExited && watch.Elapsed < GiveUp) Thread.Sleep(1);
        if (!process.WaitForExit(delay))
        {
            // Process.Kill sends SIGKILL on Unix: the process gets no chance to clean up.
            process.Kill();
            process.WaitForExit();
            var journal = new FileInfo(databasePath + "-journal");
            return new CrashTrialOutcome(Killed: true, journal.Exists && journal.Length > 0, null, stderr.Result);
        }
        return new CrashTrialOutcome(Killed: false, HotJournalAtKill: false, process.ExitCode, stderr.Result);
    }

    /// <summary>Starts lamassuops with stdout drained (it is not needed) and stderr left to the caller.</summary>
    public static Process Start(IReadOnlyList<string> args)
    {
        // Through env, which execs dotnet in its place (the same pid) with SIGINT back to its default: a test run started
        // in the background of a non-interactive shell inherits SIGINT ignored, and .NET keeps an ignored SIGINT ignored,
        // so Ctrl+C could not reach lamassuops there.
        var start = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(CliProcess.DllPath);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        return process;
    }
}
