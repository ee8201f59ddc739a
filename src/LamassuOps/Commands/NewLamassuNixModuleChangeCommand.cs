using System.Management.Automation;
using LamassuOps.Core.Lamassu;

namespace LamassuOps.Commands;

/// <summary>
/// The nix-bitcoin lamassu module's change for peer authentication: a Nix snippet for this instance and what to delete.
/// It only composes text and changes nothing, so -WhatIf (declared, as for every New-*) leaves nothing to skip.
/// </summary>
[Cmdlet(VerbsCommon.New, "LamassuNixModuleChange", SupportsShouldProcess = true)]
[OutputType(typeof(LamassuNixModuleChange))]
public sealed class NewLamassuNixModuleChangeCommand : LamassuDatabaseCommandBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string PackagePath { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Role")]
    [ValidateNotNullOrEmpty]
    public string DatabaseUser { get; set; } = "";

    /// <summary>Not from the pipeline: the plan's Mode may be PasswordTcp, which has no peer module.</summary>
    [Parameter]
    [ValidateSet(nameof(LamassuDatabaseMode.Auto), nameof(LamassuDatabaseMode.DatabaseUrl), nameof(LamassuDatabaseMode.EncodedSocketHost))]
    public string Mode { get; set; } = nameof(LamassuDatabaseMode.Auto);

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
    [
        NixModuleChange.Generate(new NixModuleChangeOptions
        {
            PackagePath = ResolveLiteralPath(host, PackagePath),
            Mode = Enum.Parse<LamassuDatabaseMode>(Mode, ignoreCase: true),
            DatabaseUser = DatabaseUser,
            DatabaseName = DatabaseName,
            SocketDirectory = SocketDirectory,
            Port = Port,
        }, host),
    ];
}
