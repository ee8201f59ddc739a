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
        var result = ExternalProcess.Run("dotnet", [DllPath, .. args], stdin,
            environment?.ToDictionary(e => e.Key, e => (string?)e.Value), runAsUser,
            workingDirectory ?? Environment.CurrentDirectory);
        return new CliResult(result.ExitCode, result.Stdout, result.Stderr);
    }
}
