using LamassuOps.Core;
using LamassuOps.Core.Fleet;

namespace LamassuOps;

/// <summary>
/// What a command needs beyond <see cref="IFanOutHost"/> (non-terminating errors): path resolution.
/// Implemented over PowerShell by <see cref="CmdletHost"/> and by the lamassuops command.
/// </summary>
internal interface ICommandHost : IFanOutHost
{
    /// <summary>
    /// Full file-system paths for a -Path (wildcards expand) or -LiteralPath value. Failures to resolve
    /// are thrown as <see cref="LamassuOpsException"/>.
    /// </summary>
    IReadOnlyList<string> ResolvePath(string path, bool literal);
}
