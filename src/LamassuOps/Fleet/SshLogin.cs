using System.Collections;
using System.Diagnostics;
using LamassuOps.Core.Fleet;

namespace LamassuOps.Fleet;

/// <summary>
/// One plain ssh login to an instance's host with the same user, port, key and options as its remoting session,
/// running a shell command there. Its standard error is captured (never this process's), so ssh says why it failed:
/// LogLevel=ERROR unless the options give one.
/// </summary>
internal static class SshLogin
{
    /// <summary>What ssh exits with when it could not log in (or lost the connection), not the command's own status.</summary>
    public const int Failed = 255;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static (int ExitCode, string Stdout, string Stderr) Run(LamassuOpsInstance instance, SshConnection ssh, string command, CancellationToken cancel)
    {
        var start = new ProcessStartInfo("ssh") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        var options = ssh.EffectiveOptions();
        if (ssh.Options?.ContainsKey("LogLevel") != true) options["LogLevel"] = "ERROR";
        foreach (DictionaryEntry option in options)
        {
            start.ArgumentList.Add("-o");
            start.ArgumentList.Add($"{option.Key}={option.Value}");
        }
        if (instance.Port is { } port) start.ArgumentList.Add($"-p{port}");
        if (ssh.KeyFilePath is { } key) start.ArgumentList.Add($"-i{key}");
        start.ArgumentList.Add("--");
        start.ArgumentList.Add(RemoteInstance.UserAtHost(instance));
        start.ArgumentList.Add(command);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        using var stop = cancel.Register(() => process.Kill(entireProcessTree: true));
        var stdout = process.StandardOutput.ReadToEndAsync(cancel);
        var stderr = process.StandardError.ReadToEndAsync(cancel);
        var answered = process.WaitForExit(Timeout);
        if (!answered) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        cancel.ThrowIfCancellationRequested();
        return answered
            ? (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult())
            : (Failed, "", $"ssh had not logged in after {Timeout.TotalSeconds:0} seconds.");
    }
}
