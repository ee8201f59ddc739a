namespace LamassuOps.Core;

/// <summary>
/// Kinds of failure. The names match PowerShell's ErrorCategory members so the module maps them
/// by name; Core stays free of PowerShell types.
/// </summary>
public enum FailureKind
{
    NotSpecified,
    InvalidArgument,
    InvalidData,
    InvalidOperation,
    InvalidResult,
    ObjectNotFound,
    PermissionDenied,
    ResourceBusy,
    ResourceUnavailable,
    ResourceExists,
    ConnectionError,
    AuthenticationError,
    SecurityError,
    NotInstalled,
    NotEnabled,
    OperationStopped,
    ReadError,
    WriteError,
    OpenError,
    CloseError,
    LimitsExceeded,
    FromStdErr,
}

/// <summary>
/// A failure an operator can act on: a stable <see cref="ErrorId"/> (tests and scripts match on it),
/// a kind, the object it concerns, a plain message and, where one exists, what to do about it.
/// Messages never contain secrets.
/// </summary>
public sealed class LamassuOpsException : Exception
{
    public LamassuOpsException(string errorId, FailureKind kind, string message, object? target = null,
        string? recommendedAction = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
        RecommendedAction = recommendedAction;
    }

    public string ErrorId { get; }

    public FailureKind Kind { get; }

    public object? Target { get; }

    public string? RecommendedAction { get; }

    /// <summary>The same failure (id, kind, target, fix) with one more sentence, e.g. which backup was kept.</summary>
    public LamassuOpsException WithNote(string note)
    {
        var errorId = ErrorId; // passed through: this is no new failure
        return new LamassuOpsException(errorId, Kind, $"{Message} {note}", Target, RecommendedAction, this);
    }
}
