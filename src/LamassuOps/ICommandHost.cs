using LamassuOps.Core;

namespace LamassuOps;

/// <summary>
/// What a command needs beyond <see cref="IOperationHost"/>: non-terminating errors and path resolution.
/// Implemented over PowerShell by <see cref="CmdletHost"/> and by the lamassuops command.
/// </summary>
internal interface ICommandHost : IOperationHost
{
    /// <summary>Reports a failure for one item; the command goes on with the next.</summary>
    void WriteError(LamassuOpsException error);

    /// <summary>
    /// Full file-system paths for a -Path (wildcards expand) or -LiteralPath value. Failures to resolve
    /// are thrown as <see cref="LamassuOpsException"/>.
    /// </summary>
    IReadOnlyList<string> ResolvePath(string path, bool literal);
}
