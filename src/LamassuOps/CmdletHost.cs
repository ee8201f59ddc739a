using System.Management.Automation;
using LamassuOps.Core;

namespace LamassuOps;

/// <summary><see cref="ICommandHost"/> over a running cmdlet.</summary>
internal sealed class CmdletHost(PSCmdlet cmdlet, CancellationToken cancellationToken) : ICommandHost
{
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>
    /// -Force skips the confirmation prompt but never -WhatIf: with -WhatIf (or $WhatIfPreference) the call
    /// still goes to PowerShell, which prints "What if" and answers no.
    /// </summary>
    public bool ShouldProcess(string target, string action)
    {
        if (IsSwitchBound("Force") && !IsWhatIf()) return true;
        try
        {
            return cmdlet.ShouldProcess(target, action);
        }
        catch (PSInvalidOperationException noPrompt) when (cmdlet.Host?.UI is not null)
        {
            // pwsh -NonInteractive, or lamassuops without a terminal: the question cannot be asked, so nothing is done.
            throw new LamassuOpsException("ConfirmationRequired", FailureKind.InvalidOperation,
                $"'{action}' on '{target}' needs confirmation, and there is no one to ask ({noPrompt.Message})", target,
                "Add -Force (or -Confirm:$false) to proceed unattended, or -WhatIf to see what it would do.", noPrompt);
        }
    }

    public void WriteVerbose(string message) => cmdlet.WriteVerbose(message);

    public void WriteWarning(string message) => cmdlet.WriteWarning(message);

    public void WriteProgress(OperationProgress progress)
    {
        var record = new ProgressRecord(Math.Abs(progress.Activity.GetHashCode()), progress.Activity, progress.Status)
        {
            PercentComplete = progress.PercentComplete,
            RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        cmdlet.WriteProgress(record);
    }

    public void WriteError(LamassuOpsException error) => cmdlet.WriteError(ToErrorRecord(error));

    public IReadOnlyList<string> ResolvePath(string path, bool literal)
    {
        if (literal || !WildcardPattern.ContainsWildcardCharacters(path))
            return [cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path)];
        try
        {
            var resolved = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out var provider);
            if (provider.Name != "FileSystem")
                throw new LamassuOpsException("PathNotFileSystem", FailureKind.InvalidArgument,
                    $"'{path}' is not a file-system path.", path);
            return resolved.ToList();
        }
        catch (ItemNotFoundException)
        {
            throw new LamassuOpsException("PathNotFound", FailureKind.ObjectNotFound, $"No file matches '{path}'.", path);
        }
    }

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

    private bool IsWhatIf() =>
        cmdlet.MyInvocation.BoundParameters.TryGetValue("WhatIf", out var value)
            ? LanguagePrimitives.IsTrue(value)
            : LanguagePrimitives.IsTrue(cmdlet.GetVariableValue("WhatIfPreference"));
}
