using LamassuOps.Core;

namespace LamassuOps.Cli;

/// <summary>
/// <see cref="ICommandHost"/> for lamassuops. Results go to stdout; everything else (errors, warnings, verbose,
/// what-if, prompts) goes to stderr so that --json output stays machine-readable.
/// </summary>
internal sealed class ConsoleCommandHost(BoundCommand command, TextWriter stderr, TextReader stdin, bool interactive,
    CancellationToken cancellationToken) : ICommandHost
{
    private bool _yesToAll;

    public int ErrorCount { get; private set; }

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>
    /// Mirrors PowerShell: --what-if prints what would happen and answers no. Commands with ConfirmImpact High
    /// (or any command with --confirm) ask first unless --force or --confirm:false is given; with no terminal to
    /// ask on, they refuse rather than guess, so unattended jobs must say --force explicitly.
    /// </summary>
    public bool ShouldProcess(string target, string action)
    {
        if (command.Options.WhatIf)
        {
            stderr.WriteLine($"What if: Performing the operation \"{action}\" on target \"{target}\".");
            return false;
        }
        if (!NeedsConfirmation() || _yesToAll) return true;
        if (!interactive)
            throw new LamassuOpsException("ConfirmationRequired", FailureKind.InvalidOperation,
                $"{command.Definition.Name} would {action} '{target}' and needs confirmation, but there is no terminal to ask on.",
                target, "Add --force (or --confirm:false) to proceed unattended, or --what-if to see what it would do.");

        stderr.Write($"Confirm: {action} on \"{target}\"? [y] Yes  [a] Yes to all  [N] No: ");
        var answer = stdin.ReadLine()?.Trim().ToLowerInvariant();
        _yesToAll = answer is "a";
        return answer is "y" or "yes" or "a";
    }

    private bool NeedsConfirmation() => command.Options.Confirm switch
    {
        true => true,
        false => false,
        null => command.Definition.ConfirmImpact == "High" && !command.Cmdlet.IsPresent(default, "Force"),
    };

    public void WriteVerbose(string message)
    {
        if (command.Options.Verbose) stderr.WriteLine("VERBOSE: " + message);
    }

    public void WriteWarning(string message) => stderr.WriteLine("WARNING: " + message);

    public void WriteProgress(OperationProgress progress)
    {
        if (!interactive) return;
        var percent = progress.PercentComplete >= 0 ? $" {progress.PercentComplete}%" : "";
        stderr.Write($"\r{progress.Activity}: {progress.Status}{percent}\u001b[K");
        if (progress.Completed) stderr.Write("\r\u001b[K");
    }

    public void WriteError(LamassuOpsException error)
    {
        ErrorCount++;
        stderr.WriteLine($"lamassuops: {error.ErrorId}: {error.Message}");
        if (error.RecommendedAction is not null) stderr.WriteLine($"  fix: {error.RecommendedAction}");
    }

    public IReadOnlyList<string> ResolvePath(string path, bool literal) =>
        PathResolver.Resolve(path, Environment.CurrentDirectory, literal);
}
