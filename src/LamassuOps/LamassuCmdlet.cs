using System.Diagnostics.CodeAnalysis;
using System.Management.Automation;
using LamassuOps.Core;
using LamassuOps.Core.Lnbits;

namespace LamassuOps;

/// <summary>
/// Base of every LamassuOps cmdlet. A command declares its parameters and implements <see cref="Invoke"/>:
/// turn the bound parameters into a Core options object, call Core, return its results. The same
/// <see cref="Invoke"/> runs in every PowerShell runspace, pwsh's and the one lamassuops hosts; it uses only its own
/// properties and the host, so Core can be driven by any host (xunit's too).
/// </summary>
public abstract class LamassuCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _stopping = new();

    internal abstract IEnumerable<object> Invoke(ICommandHost host);

    protected override void ProcessRecord() => Run(Invoke);

    /// <summary>Writes what <paramref name="invoke"/> returns; a LamassuOps failure is a terminating error, a stop ends it quietly.</summary>
    private protected void Run(Func<ICommandHost, IEnumerable<object>> invoke)
    {
        var host = new CmdletHost(this, _stopping.Token);
        try
        {
            foreach (var result in invoke(host)) WriteObject(result);
        }
        catch (LamassuOpsException error)
        {
            ThrowTerminatingError(CmdletHost.ToErrorRecord(error));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopped by the user: PowerShell already knows.
        }
    }

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>A single path taken literally (no wildcards), resolved by the host to a full file-system path; null stays null.</summary>
    [return: NotNullIfNotNull(nameof(path))]
    internal static string? ResolveLiteralPath(ICommandHost host, string? path) =>
        path is null ? null : host.ResolvePath(path, literal: true)[0];

    /// <summary>An LNbits database: a PostgreSQL URL as given, a file path resolved like -LiteralPath.</summary>
    internal static string ResolveLnbitsDatabase(ICommandHost host, string database) =>
        LnbitsDatabaseLocation.IsUrl(database) ? database : ResolveLiteralPath(host, database);

    /// <summary>
    /// Paths from -Path (wildcards) or -LiteralPath, resolved by the host. A path that fails to resolve is
    /// reported as a non-terminating error and skipped.
    /// </summary>
    internal static IEnumerable<string> ResolvePaths(ICommandHost host, string[]? paths, string[]? literalPaths)
    {
        var (values, literal) = literalPaths is { Length: > 0 } ? (literalPaths, true) : (paths ?? [], false);
        foreach (var value in values)
        {
            IReadOnlyList<string> resolved;
            try
            {
                resolved = host.ResolvePath(value, literal);
            }
            catch (LamassuOpsException error)
            {
                host.WriteError(error);
                continue;
            }
            foreach (var path in resolved) yield return path;
        }
    }

    /// <summary>
    /// Runs <paramref name="run"/> per item and streams its results. A failure of one item is reported as a
    /// non-terminating error and the next item goes on, as PowerShell users expect of pipelines.
    /// </summary>
    internal static IEnumerable<object> ForEachItem<TItem>(ICommandHost host, IEnumerable<TItem> items,
        Func<TItem, IEnumerable<object>> run)
    {
        foreach (var item in items)
        {
            using var results = RunGuarded(host, () => run(item).GetEnumerator());
            if (results is null) continue;
            while (true)
            {
                host.CancellationToken.ThrowIfCancellationRequested();
                var hasNext = RunGuarded(host, () => results.MoveNext());
                if (!hasNext) break;
                yield return results.Current;
            }
        }
    }

    private static T? RunGuarded<T>(ICommandHost host, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (LamassuOpsException error)
        {
            host.WriteError(error);
            return default;
        }
    }
}
