using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace LamassuOps.Fleet;

/// <summary>
/// The host of the runspace a remote instance's command runs from: the remote side's host calls (a "What if:" line, a
/// -Confirm prompt) reach the caller's host; its warnings, verbose and debug lines, errors and progress do not, because
/// they come back through the command's streams and are written once, with the instance's name. Given the caller's own
/// host instead, every warning written for the instance would also land in that runspace's warning stream again, and
/// come back once more.
/// </summary>
internal sealed class RemoteCallerHost(PSHost caller) : PSHost
{
    public override string Name => "LamassuOpsRemoteCaller";
    public override Version Version => typeof(RemoteCallerHost).Assembly.GetName().Version!;
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override PSHostUserInterface UI { get; } = new CallerInterface(caller.UI);
    public override CultureInfo CurrentCulture => caller.CurrentCulture;
    public override CultureInfo CurrentUICulture => caller.CurrentUICulture;
    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
    public override void SetShouldExit(int exitCode) { }

    private sealed class CallerInterface(PSHostUserInterface caller) : PSHostUserInterface
    {
        public override PSHostRawUserInterface RawUI => caller.RawUI;
        public override string ReadLine() => caller.ReadLine();
        public override SecureString ReadLineAsSecureString() => caller.ReadLineAsSecureString();
        public override void Write(string value) => caller.Write(value);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => caller.Write(foregroundColor, backgroundColor, value);
        public override void WriteLine(string value) => caller.WriteLine(value);

        // Come back through the streams.
        public override void WriteErrorLine(string value) { }
        public override void WriteWarningLine(string message) { }
        public override void WriteVerboseLine(string message) { }
        public override void WriteDebugLine(string message) { }
        public override void WriteProgress(long sourceId, ProgressRecord record) { }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
            caller.Prompt(caption, message, descriptions);

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) =>
            caller.PromptForChoice(caption, message, choices, defaultChoice);

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            caller.PromptForCredential(caption, message, userName, targetName);

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            caller.PromptForCredential(caption, message, userName, targetName, allowedCredentialTypes, options);
    }
}
