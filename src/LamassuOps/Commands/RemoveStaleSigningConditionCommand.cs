using System.Management.Automation;
using LamassuOps.Core.Bunker;

namespace LamassuOps.Commands;

/// <summary>Strips the policy photocopies from SigningCondition without touching any pairing.</summary>
[Cmdlet(VerbsCommon.Remove, "StaleSigningCondition", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = "Path")]
[OutputType(typeof(StaleSigningConditionRemoval))]
public sealed class RemoveStaleSigningConditionCommand : BunkerMaintenanceCommandBase
{
    // One per pipeline: many objects from the same database strip it once.
    private readonly StaleSigningConditionStrip _strip = new();

    [Parameter]
    public SwitchParameter StaleOnly { get; set; }

    [Parameter]
    public SwitchParameter IncludeManualOverride { get; set; }

    [Parameter]
    public SwitchParameter AcceptPermissionLoss { get; set; }

    [Parameter]
    public DateTimeOffset? AsOf { get; set; }

    /// <summary>LNbits' database (SQLite file or PostgreSQL URL): the strip is rolled back unless its Healthy pairings stay Healthy.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LnbitsDatabase { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host)
    {
        var scope = StaleSigningConditionStrip.ScopeFrom(StaleOnly.IsPresent, IncludeManualOverride.IsPresent);
        return ForEachDatabase(host, (path, backup) => _strip.Run(new RemoveStaleSigningConditionOptions
        {
            Path = path,
            Scope = scope,
            AcceptPermissionLoss = AcceptPermissionLoss.IsPresent,
            NoBackup = backup.NoBackup,
            BackupDirectory = backup.BackupDirectory,
            AsOf = AsOf,
            LnbitsDatabase = ResolveLnbitsDatabase(host, LnbitsDatabase),
        }, host));
    }
}
