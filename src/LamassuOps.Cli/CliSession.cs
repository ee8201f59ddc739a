using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.RegularExpressions;
using LamassuOps.Core;

namespace LamassuOps.Cli;

/// <summary>
/// Runs one LamassuOps cmdlet in a real PowerShell runspace (System.Management.Automation), holding only that
/// cmdlet and the FileSystem and Environment providers. PowerShell's own binder converts and validates
/// the arguments, its ShouldProcess asks, its providers resolve paths: lamassuops accepts and refuses exactly what
/// pwsh does, and the cmdlet code runs the same in both.
/// </summary>
internal sealed partial class CliSession(TextWriter stdout, TextWriter stderr, TextReader stdin, bool interactive)
{
    private int _errors;
    private bool _needsAttention;
    private bool _outputFailed;

    /// <summary>
    /// The exit code: 0; 1 when an error was reported, the answer was False or a result needs attention; 2 for arguments PowerShell refused; 130
    /// when stopped.
    /// </summary>
    public int Run(CliArguments arguments, IReadOnlyDictionary<string, FormatView> views, CancellationToken cancellationToken)
    {
        // Warnings, verbose lines, what-if lines and progress reach stderr through the host; errors are written below.
        var render = Renderer(arguments.Definition);
        var host = new CliHost(stderr, stdin, interactive, render);
        using var runspace = RunspaceFactory.CreateRunspace(host, SessionState(arguments.Definition));
        runspace.Open();
        using var shell = PowerShell.Create(runspace);
        shell.AddCommand(arguments.Definition.Name);
        foreach (var (name, value) in arguments.Named) shell.AddParameter(name, value);
        foreach (var value in arguments.Positional) shell.AddArgument(value);

        var output = OutputWriter.Create(arguments.Json, stdout, views, Evaluate);
        // Only --instance stamps results (lamassuops has no pipeline input): looking for the stamp costs a PowerShell
        // member lookup per result, which on a million rows is seconds.
        var stamped = arguments.Named.Any(parameter => string.Equals(parameter.Key, nameof(LamassuCmdlet.Instance), StringComparison.OrdinalIgnoreCase));
        var results = new PSDataCollection<PSObject>();
        results.DataAdded += (_, e) =>
        {
            // Written and let go at once: the collection would otherwise hold every result of the run.
            var item = results[e.Index];
            results.RemoveAt(e.Index);
            var result = RemoteResult.Of(item);
            try
            {
                Write(output, result, stamped && result is not RemoteResult ? LamassuCmdlet.InstanceOf(item) : null);
            }
            catch (IOException failure)
            {
                // Nothing more can be shown: the command stops here, as a pipeline whose reader is gone does.
                OutputNotWritten(failure);
                throw new PipelineStoppedException();
            }
        };
        shell.Streams.Error.DataAdded += (_, e) =>
        {
            WriteError(render, shell.Streams.Error[e.Index]);
            shell.Streams.Error.RemoveAt(e.Index);
        };
        // The host has written them to stderr already; PowerShell would also keep every record in its streams, which a
        // --verbose strip of a million rows (a line per KeyUser) grows by about 150 MiB.
        LetGo(shell.Streams.Verbose);
        LetGo(shell.Streams.Warning);
        LetGo(shell.Streams.Debug);
        LetGo(shell.Streams.Information);
        LetGo(shell.Streams.Progress);

        using var stopping = cancellationToken.Register(() => shell.BeginStop(null, null));
        try
        {
            shell.Invoke(null, results);
        }
        catch (ParameterBindingException refused)
        {
            WriteError(render, refused.ErrorRecord);
            return Program.UsageError;
        }
        catch (PipelineStoppedException) when (_outputFailed)
        {
            // The output stopped it, not the operator: OutputNotWritten was said and counts as an error (exit code 1).
        }
        catch (PipelineStoppedException)
        {
            return Stopped();
        }
        catch (RuntimeException terminating)
        {
            WriteError(render, terminating.ErrorRecord);
        }
        finally
        {
            results.Complete();
            Flush(output);
        }
        if (cancellationToken.IsCancellationRequested) return Stopped();
        return _errors > 0 || _needsAttention ? Program.CommandFailed : Program.Success;
    }

    private void Flush(OutputWriter output)
    {
        try
        {
            output.Flush();
            stdout.Flush();
        }
        catch (IOException failure)
        {
            OutputNotWritten(failure);
        }
    }

    /// <summary>Stdout could not be written (a full disk): said once, and the exit code is 1.</summary>
    private void OutputNotWritten(IOException failure)
    {
        if (_outputFailed) return;
        _outputFailed = true;
        _errors++;
        Program.OutputNotWritten(stderr, failure);
    }

    private static void LetGo<T>(PSDataCollection<T> stream) => stream.DataAdded += (_, e) => stream.RemoveAt(e.Index);

    private int Stopped()
    {
        stderr.WriteLine("lamassuops: Stopped.");
        return Program.Cancelled;
    }

    /// <summary>
    /// A False answer (Test-PeerAuth -Quiet), or a result that needs attention (<see cref="INeedsAttention"/>: a pairing
    /// that is not healthy), is printed and also makes the exit code 1, so a script or a timer can test it.
    /// </summary>
    private void Write(OutputWriter output, object result, string? instance)
    {
        if (result is false or INeedsAttention { NeedsAttention: true }) _needsAttention = true;
        output.Write(result, instance);
    }

    /// <summary>The command to run and the providers paths resolve through; nothing else, so the runspace opens fast.</summary>
    private static InitialSessionState SessionState(CommandDefinition command)
    {
        var state = InitialSessionState.Create();
        state.Commands.Add(new SessionStateCmdletEntry(command.Name, command.CmdletType, helpFileName: null));
        // The views' script blocks are PowerShell over $_ (operators and ForEach-Object), as in pwsh.
        state.LanguageMode = PSLanguageMode.FullLanguage;
        state.Commands.Add(new SessionStateCmdletEntry("ForEach-Object", typeof(Microsoft.PowerShell.Commands.ForEachObjectCommand), helpFileName: null));
        state.Providers.Add(new SessionStateProviderEntry("FileSystem", typeof(Microsoft.PowerShell.Commands.FileSystemProvider), helpFileName: null));
        state.Providers.Add(new SessionStateProviderEntry("Environment", typeof(Microsoft.PowerShell.Commands.EnvironmentProvider), helpFileName: null));
        return state;
    }

    /// <summary>A view's script block over one result, in this runspace (results arrive on its pipeline thread).</summary>
    private static object? Evaluate(string script, object target)
    {
        var result = ScriptBlock.Create(script).InvokeWithContext(null, [new PSVariable("_", target)]);
        return result.Count == 1 ? result[0]?.BaseObject : string.Join("\n", result.Select(r => r?.BaseObject));
    }

    /// <summary><c>lamassuops: &lt;ErrorId&gt;: &lt;message&gt;</c>, and the fix on the next line.</summary>
    private void WriteError(Func<string, string> render, ErrorRecord error)
    {
        _errors++;
        var errorId = error.FullyQualifiedErrorId.Split(',')[0];
        var message = error.ErrorDetails?.Message is { Length: > 0 } details ? details : error.Exception.Message;
        stderr.WriteLine($"lamassuops: {errorId}: {render(message)}");
        if (error.ErrorDetails?.RecommendedAction is { Length: > 0 } fix) stderr.WriteLine($"  fix: {render(fix)}");
    }

    /// <summary>
    /// Messages name parameters as PowerShell spells them (-OlderThan, parameter 'OlderThan'); here they are shown as
    /// lamassuops spells them (--older-than), so the advice can be typed where it is read. The names are gathered once per command.
    /// </summary>
    internal static Func<string, string> Renderer(CommandDefinition definition)
    {
        var names = definition.Parameters.Select(p => p.Name).Concat(["WhatIf", "Confirm", "Verbose", "ErrorAction"])
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        string Option(string name) => "--" + CommandCatalog.ToKebabCase(name);
        return message =>
        {
            message = DashedName().Replace(message, m => names.Contains(m.Groups["name"].Value)
                ? m.Groups["lead"].Value + Option(m.Groups["name"].Value) + (m.Groups["false"].Success ? ":false" : "")
                : m.Value);
            return QuotedParameter().Replace(message, m => names.Contains(m.Groups["name"].Value)
                ? $"parameter '{Option(m.Groups["name"].Value)}'"
                : m.Value);
        };
    }

    [GeneratedRegex(@"(?<lead>^|[\s'""(`])-(?<name>[A-Z][A-Za-z]+)(?<false>:\$false)?\b")]
    private static partial Regex DashedName();

    [GeneratedRegex(@"parameter '(?<name>[A-Za-z]+)'")]
    private static partial Regex QuotedParameter();
}
