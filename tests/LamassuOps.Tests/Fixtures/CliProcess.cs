using System.Diagnostics;
using System.Text.Json;

namespace LamassuOps.Tests.Fixtures;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The --json output: one JSON object per line.</summary>
    public IReadOnlyList<JsonElement> JsonLines =>
        Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToList();
}

/// <summary>Runs the built lamassuops (LamassuOps.Cli.dll, copied beside the tests) as a separate process.</summary>
public static class CliProcess
{
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "LamassuOps.Cli.dll");

    public static CliResult Run(params string[] args) => Run(args, workingDirectory: null);

    public static CliResult Run(IEnumerable<string> args, string? workingDirectory, string? stdin = null,
        IDictionary<string, string>? environment = null, string? runAsUser = null)
    {
        var start = new ProcessStartInfo
        {
            FileName = runAsUser is null ? "dotnet" : "runuser",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        if (runAsUser is not null)
        {
            foreach (var prefix in new[] { "-u", runAsUser, "--", "dotnet" }) start.ArgumentList.Add(prefix);
        }
        start.ArgumentList.Add(DllPath);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        if (environment is not null)
            foreach (var (name, value) in environment) start.Environment[name] = value;

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"lamassuops {string.Join(' ', args)} did not finish in 2 minutes.");
        }
        return new CliResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}
