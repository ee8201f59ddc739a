using LamassuOps.Core;

namespace LamassuOps.Tests.Postgres.Support;

/// <summary>An <see cref="IOperationHost"/> that records what an operation said and answers ShouldProcess as told.</summary>
public sealed class RecordingHost(bool allowChanges = true) : IOperationHost
{
    public List<string> Verbose { get; } = [];

    public List<string> Warnings { get; } = [];

    public List<(string Target, string Action)> ShouldProcessCalls { get; } = [];

    /// <summary>Runs at each confirmation, before it is answered: what another writer does while the operator reads the prompt.</summary>
    public Action? OnConfirm { get; init; }

    public CancellationToken CancellationToken => CancellationToken.None;

    public bool ShouldProcess(string target, string action)
    {
        ShouldProcessCalls.Add((target, action));
        OnConfirm?.Invoke();
        return allowChanges;
    }

    public void WriteVerbose(string message) => Verbose.Add(message);

    public void WriteWarning(string message) => Warnings.Add(message);

    public void WriteProgress(OperationProgress progress)
    {
    }

    /// <summary>Everything the operation said, to check that no secret appears in it.</summary>
    public string AllMessages => string.Join("\n", Verbose.Concat(Warnings).Concat(ShouldProcessCalls.Select(c => c.Target + " " + c.Action)));
}
