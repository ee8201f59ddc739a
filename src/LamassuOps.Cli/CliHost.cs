using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace LamassuOps.Cli;

/// <summary>
/// The PowerShell host lamassuops runs its runspace in. Everything it shows goes to stderr (what-if lines,
/// prompts), so stdout carries only results. It asks on a terminal; without one, any prompt fails as it does in
/// <c>pwsh -NonInteractive</c>, so an unattended job never waits and never guesses.
/// </summary>
/// <param name="render">Rewrites a message for lamassuops (parameter names as --kebab-case).</param>
internal sealed class CliHost(TextWriter stderr, TextReader stdin, bool interactive, Func<string, string> render) : PSHost
{
    private readonly CliHostUserInterface _ui = new(stderr, stdin, interactive, render);

    public override string Name => "lamassuops";

    public override Version Version => typeof(CliHost).Assembly.GetName().Version ?? new Version(0, 0);

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override PSHostUserInterface UI => _ui;

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

    public override void SetShouldExit(int exitCode)
    {
    }

    public override void EnterNestedPrompt() => throw new NotSupportedException("lamassuops has no nested prompt.");

    public override void ExitNestedPrompt() => throw new NotSupportedException("lamassuops has no nested prompt.");

    public override void NotifyBeginApplication()
    {
    }

    public override void NotifyEndApplication()
    {
    }
}

internal sealed class CliHostUserInterface(TextWriter stderr, TextReader stdin, bool interactive, Func<string, string> render)
    : PSHostUserInterface
{
    public override PSHostRawUserInterface? RawUI => null;

    /// <summary>Asks on the terminal: the choices with their hot keys, the default on an empty answer, as pwsh does.</summary>
    public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice)
    {
        RefuseWithoutTerminal();
        if (!string.IsNullOrEmpty(caption)) stderr.WriteLine(caption);
        if (!string.IsNullOrEmpty(message)) stderr.WriteLine(render(message));
        // Suspend would enter a nested prompt, which lamassuops has not: it is neither offered nor taken.
        var offered = Enumerable.Range(0, choices.Count).Where(i => choices[i].Label.Replace("&", "") != "Suspend").ToList();
        var keys = choices.Select(HotKey).ToList();
        var labels = offered.Select(i => $"[{keys[i]}] {choices[i].Label.Replace("&", "")}");
        while (true)
        {
            stderr.Write($"{string.Join("  ", labels)} (default is \"{keys[Math.Max(defaultChoice, 0)]}\"): ");
            // End of input is no answer: refuse rather than take the default, which for a confirmation is Yes.
            var answer = stdin.ReadLine()?.Trim() ?? throw NonInteractive();
            if (answer.Length == 0) return defaultChoice;
            var chosen = offered.FindIndex(i => string.Equals(keys[i], answer, StringComparison.OrdinalIgnoreCase));
            if (chosen >= 0) return offered[chosen];
        }
    }

    private static string HotKey(ChoiceDescription choice)
    {
        var amp = choice.Label.IndexOf('&');
        return amp >= 0 && amp + 1 < choice.Label.Length ? choice.Label[amp + 1].ToString().ToUpperInvariant() : choice.Label;
    }

    public override Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) =>
        throw NonInteractive(); // missing mandatory parameters are a usage error, never a question

    public override string ReadLine()
    {
        RefuseWithoutTerminal();
        return stdin.ReadLine() ?? "";
    }

    public override SecureString ReadLineAsSecureString() => throw NonInteractive();

    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw NonInteractive();

    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
        PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw NonInteractive();

    public override void Write(string value) => stderr.Write(value);

    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => stderr.Write(value);

    public override void WriteLine(string value) => stderr.WriteLine(render(value));

    public override void WriteErrorLine(string value) => stderr.WriteLine(render(value));

    public override void WriteDebugLine(string message) => stderr.WriteLine("DEBUG: " + render(message));

    public override void WriteVerboseLine(string message) => stderr.WriteLine("VERBOSE: " + render(message));

    public override void WriteWarningLine(string message) => stderr.WriteLine("WARNING: " + render(message));

    /// <summary>
    /// One line on a terminal, redrawn, with a bar when the percentage is known (a fan-out's parent record); nothing
    /// when stdout is not a terminal either (`lamassuops ... --json | jq`), so that only a person watching sees it.
    /// </summary>
    public override void WriteProgress(long sourceId, ProgressRecord record)
    {
        if (!interactive || Console.IsOutputRedirected) return;
        if (record.RecordType == ProgressRecordType.Completed)
        {
            stderr.Write("\r\u001b[K");
            return;
        }
        const int width = 20;
        var filled = Math.Clamp(record.PercentComplete, 0, 100) * width / 100;
        var bar = record.PercentComplete >= 0 ? $" [{new string('#', filled)}{new string('.', width - filled)}] {record.PercentComplete}%" : "";
        stderr.Write($"\r{record.Activity}:{bar} {record.StatusDescription}\u001b[K");
    }

    private void RefuseWithoutTerminal()
    {
        if (!interactive) throw NonInteractive();
    }

    /// <summary>What pwsh -NonInteractive throws for a prompt; the cmdlet host turns it into ConfirmationNotPossible.</summary>
    private static PSInvalidOperationException NonInteractive() =>
        new("lamassuops has no terminal to ask on (stdin or stderr is redirected). Read and Prompt functionality is not available.");
}
