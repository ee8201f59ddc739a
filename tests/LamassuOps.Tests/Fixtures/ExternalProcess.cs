using System.Diagnostics;

namespace LamassuOps.Tests.Fixtures;

public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public string Describe() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>Runs a real program (node, psql, bash, shellcheck), optionally as another OS user through runuser.</summary>
public static class ExternalProcess
{
    public static ProcessResult Run(string fileName, IEnumerable<string> args, string? stdin = null,
        IDictionary<string, string?>? environment = null, string? runAsUser = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo
        {
            FileName = runAsUser is null ? fileName : "runuser",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        if (runAsUser is not null)
            foreach (var prefix in new[] { "-u", runAsUser, "--", fileName }) start.ArgumentList.Add(prefix);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        if (environment is not null)
            foreach (var (name, value) in environment)
            {
                if (value is null) start.Environment.Remove(name);
                else start.Environment[name] = value;
            }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish in 5 minutes.");
        }
        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    public static ProcessResult RunChecked(string fileName, params string[] args)
    {
        var result = Run(fileName, args);
        if (result.ExitCode != 0) throw new InvalidOperationException($"{fileName} {string.Join(' ', args)} failed: {result.Describe()}");
        return result;
    }
}
