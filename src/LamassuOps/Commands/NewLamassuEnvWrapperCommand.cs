using System.Management.Automation;
using LamassuOps.Core.Lamassu;
using LamassuOps.Core.Postgres;

namespace LamassuOps.Commands;

/// <summary>Writes the environment wrapper a lamassu-server service runs its commands through, for peer authentication or a password over TCP.</summary>
[Cmdlet(VerbsCommon.New, "LamassuEnvWrapper", SupportsShouldProcess = true)]
[OutputType(typeof(LamassuEnvWrapper))]
public sealed class NewLamassuEnvWrapperCommand : LamassuCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("LamassuPackage")]
    [ValidateNotNullOrEmpty]
    public string PackagePath { get; set; } = "";

    /// <summary>A string, not the Core enum: a public module type must not need Core to be laid out (Import-Module reads them before the resolver runs).</summary>
    [Parameter]
    [ValidateSet(nameof(LamassuDatabaseMode.Auto), nameof(LamassuDatabaseMode.DatabaseUrl), nameof(LamassuDatabaseMode.EncodedSocketHost), nameof(LamassuDatabaseMode.PasswordTcp))]
    public string Mode { get; set; } = nameof(LamassuDatabaseMode.Auto);

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string DatabaseUser { get; set; } = "";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string DatabaseName { get; set; } = "lamassu";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string SocketDirectory { get; set; } = PostgresEndpoint.DefaultSocketDirectory;

    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = PostgresEndpoint.DefaultPort;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string TcpHost { get; set; } = "127.0.0.1";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PasswordFile { get; set; }

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Hostname { get; set; } = "";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string KeyPath { get; set; } = "/etc/ssl/private/Lamassu_OP.key";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string CertPath { get; set; } = "/etc/ssl/certs/Lamassu_OP.pem";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string CaPath { get; set; } = "/etc/ssl/certs/Lamassu_OP_Root_CA.pem";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string MnemonicPath { get; set; } = "/etc/lamassu/mnemonics/mnemonic.txt";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string LogLevel { get; set; } = "info";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NodeDirectory { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host)
    {
        var wrapper = EnvWrapperWriter.Write(new EnvWrapperOptions
        {
            Path = ResolveLiteralPath(host, Path),
            PackagePath = ResolveLiteralPath(host, PackagePath),
            Mode = Enum.Parse<LamassuDatabaseMode>(Mode, ignoreCase: true),
            DatabaseUser = DatabaseUser,
            DatabaseName = DatabaseName,
            SocketDirectory = SocketDirectory,
            Port = Port,
            TcpHost = TcpHost,
            PasswordFile = PasswordFile,
            Hostname = Hostname,
            KeyPath = KeyPath,
            CertPath = CertPath,
            CaPath = CaPath,
            MnemonicPath = MnemonicPath,
            LogLevel = LogLevel,
            NodeDirectory = NodeDirectory,
            Force = Force.IsPresent,
        }, host);
        if (PassThru.IsPresent) yield return wrapper;
    }
}
