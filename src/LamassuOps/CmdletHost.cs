using System.Management.Automation;
using LamassuOps.Core;

namespace LamassuOps;

/// <summary><see cref="ICommandHost"/> over a running cmdlet.</summary>
internal sealed class CmdletHost(PSCmdlet cmdlet, CancellationToken cancellationToken) : ICommandHost
{
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>
    /// -Force skips the confirmation prompt but never -WhatIf nor an explicit -Confirm: with -WhatIf (or
    /// $WhatIfPreference) the call still goes to PowerShell, which prints "What if" and answers no, and
    /// -Force -Confirm asks, because the operator asked to be asked.
    /// </summary>
    public bool ShouldProcess(string target, string action)
    {
        if (IsSwitchBound("Force") && !IsWhatIf && !IsSwitchBound("Confirm")) return true;
        try
        {
            return cmdlet.ShouldProcess(target, action);
        }
        catch (Exception e) when (e is PSInvalidOperationException or System.Management.Automation.Host.HostException)
        {
            // pwsh -NonInteractive (PSInvalidOperationException) or a host without a user interface (HostException).
            throw new LamassuOpsException(ConfirmationNotPossible, FailureKind.InvalidOperation,
                $"Not changing '{target}': this needs confirmation, and no one can answer a prompt here ({e.Message.TrimEnd('.')}). Nothing was changed.",
                target, "Check what would change with -WhatIf, then run it again with -Force (or -Confirm:$false).", e);
        }
    }

    /// <summary>The error id of a confirmation that could not be asked.</summary>
    public const string ConfirmationNotPossible = "ConfirmationNotPossible";

    /// <summary>PowerShell's own rule for showing verbose records: -Verbose, else -Debug, else $VerbosePreference.</summary>
    public bool WantsVerbose =>
        cmdlet.MyInvocation.BoundParameters.TryGetValue("Verbose", out var verbose) ? LanguagePrimitives.IsTrue(verbose)
        : IsSwitchBound("Debug")
        || cmdlet.GetVariableValue("VerbosePreference") is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);

    public void WriteVerbose(string message) => cmdlet.WriteVerbose(message);

    public void WriteWarning(string message) => cmdlet.WriteWarning(message);

    public void WriteProgress(OperationProgress progress)
    {
        var record = new ProgressRecord(ActivityId(progress.Activity), progress.Activity, progress.Status)
        {
            ParentActivityId = progress.ParentActivity is null ? -1 : ActivityId(progress.ParentActivity),
            PercentComplete = progress.PercentComplete,
            RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        cmdlet.WriteProgress(record);
    }

    private static int ActivityId(string activity) => activity.GetHashCode() & int.MaxValue;

    public void WriteError(LamassuOpsException error) => cmdlet.WriteError(ToErrorRecord(error));

    /// <summary>
    /// Only the FileSystem provider: <c>Env:/PATH</c> is PathNotFileSystem, not a file named PATH. A wildcard that
    /// matches nothing is PathNotFound, as Get-Item reports it.
    /// </summary>
    public IReadOnlyList<string> ResolvePath(string path, bool literal)
    {
        var paths = cmdlet.SessionState.Path;
        try
        {
            if (literal || !WildcardPattern.ContainsWildcardCharacters(path))
            {
                var unresolved = paths.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
                RequireFileSystem(path, provider);
                return [unresolved];
            }
            var resolved = paths.GetResolvedProviderPathFromPSPath(path, out var wildcardProvider);
            RequireFileSystem(path, wildcardProvider);
            if (resolved.Count == 0) throw NotFound(path);
            return resolved.ToList();
        }
        catch (ItemNotFoundException)
        {
            throw NotFound(path);
        }
        catch (Exception e) when (e is System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException)
        {
            throw new LamassuOpsException("PathNotFound", FailureKind.ObjectNotFound, $"'{path}' is no path PowerShell can resolve: {e.Message}",
                path, AFileSystemPath);
        }
    }

    private const string AFileSystemPath = "Give the database file's path, e.g. ./nsecbunker.db or /var/lib/nsecbunkerd/nsecbunker.db.";

    private static void RequireFileSystem(string path, ProviderInfo provider)
    {
        if (provider.Name != "FileSystem")
            throw new LamassuOpsException("PathNotFileSystem", FailureKind.InvalidArgument,
                $"'{path}' is a path of the {provider.Name} provider, not of the file system.", path, AFileSystemPath);
    }

    private static LamassuOpsException NotFound(string path) => new("PathNotFound", FailureKind.ObjectNotFound,
        $"No file matches '{path}'.", path, "Check the path and the wildcard (Get-ChildItem shows what it matches), or use -LiteralPath for a name with [ or ].");

    internal static ErrorRecord ToErrorRecord(LamassuOpsException error)
    {
        var category = Enum.TryParse<ErrorCategory>(error.Kind.ToString(), out var parsed) ? parsed : ErrorCategory.NotSpecified;
        var record = new ErrorRecord(error, error.ErrorId, category, error.Target);
        if (error.RecommendedAction is not null)
            record.ErrorDetails = new ErrorDetails(error.Message) { RecommendedAction = error.RecommendedAction };
        return record;
    }

    private bool IsSwitchBound(string name) =>
        cmdlet.MyInvocation.BoundParameters.TryGetValue(name, out var value) && LanguagePrimitives.IsTrue(value);

    public bool IsWhatIf => IsWhatIfBound();

    private bool IsWhatIfBound() =>
        cmdlet.MyInvocation.BoundParameters.TryGetValue("WhatIf", out var value)
            ? LanguagePrimitives.IsTrue(value)
            : LanguagePrimitives.IsTrue(cmdlet.GetVariableValue("WhatIfPreference"));
}
