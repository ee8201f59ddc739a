namespace LamassuOps.Core;

/// <summary>
/// What an operation may ask of whoever runs it (a cmdlet, the lamassuops command, a test).
/// Operations never write to the console themselves.
/// </summary>
public interface IOperationHost
{
    /// <summary>
    /// Asks before a state change. False means "do not do it" (-WhatIf, a declined prompt);
    /// the operation must then change nothing at all for that target.
    /// </summary>
    bool ShouldProcess(string target, string action);

    /// <summary>
    /// True under -WhatIf, when <see cref="ShouldProcess"/> is known to say no: an operation that would write a working
    /// file before it asks (the strip's snapshot) works without one instead, so that -WhatIf writes nothing at all.
    /// </summary>
    bool IsWhatIf => false;

    /// <summary>
    /// False when verbose messages would not be shown (no -Verbose, $VerbosePreference SilentlyContinue): an operation
    /// that puts a message together per KeyUser of a million rows skips that work. True when not known.
    /// </summary>
    bool WantsVerbose => true;

    void WriteVerbose(string message);

    void WriteWarning(string message);

    void WriteProgress(OperationProgress progress);

    /// <summary>Cancelled when the user stops the command (Ctrl+C, StopProcessing).</summary>
    CancellationToken CancellationToken { get; }
}

/// <param name="Activity">What is being done, e.g. "Backing up nsecbunker.db".</param>
/// <param name="Status">Where it is now.</param>
/// <param name="PercentComplete">0..100, or -1 when unknown.</param>
/// <param name="Completed">True on the last report of an activity.</param>
/// <param name="ParentActivity">The activity this one is part of (one instance of a fan-out), or null.</param>
public sealed record OperationProgress(string Activity, string Status, int PercentComplete = -1, bool Completed = false,
    string? ParentActivity = null);
