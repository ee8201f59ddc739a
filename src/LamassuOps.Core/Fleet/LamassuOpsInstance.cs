namespace LamassuOps.Core.Fleet;

/// <summary>
/// One instance of the inventory: an nsecbunkerd/LNbits/lamassu installation on a host. Every value but
/// <see cref="Name"/> is optional. The property names are the names cmdlet parameters bind to by property name
/// (Get-LamassuOpsInstance | Get-BunkerPairing), so they are part of the module's interface. A record, so that the
/// inventory reader sets one key at a time (<c>with</c>).
/// </summary>
public sealed record LamassuOpsInstance
{
    public required string Name { get; init; }

    /// <summary>The SSH host name; null means this machine.</summary>
    public string? Host { get; init; }

    /// <summary>The SSH user; null means the SSH default.</summary>
    public string? User { get; init; }

    /// <summary>The SSH port; null means the SSH default (22).</summary>
    public int? Port { get; init; }

    /// <summary>nsecbunkerd's SQLite database, as a path on <see cref="Host"/>.</summary>
    public string? BunkerDatabase { get; init; }

    /// <summary>LNbits' database: a SQLite path on <see cref="Host"/> or a PostgreSQL URL.</summary>
    public string? LnbitsDatabase { get; init; }

    /// <summary>lamassu-server's DATABASE_URL.</summary>
    public string? LamassuDatabaseUrl { get; init; }

    /// <summary>The deployed lamassu-server package (a /nix/store path on <see cref="Host"/>).</summary>
    public string? LamassuPackage { get; init; }

    /// <summary>lamassu-server's environment wrapper (lamassu-env), as a path on <see cref="Host"/>: with the service user, the health view adds the move to peer authentication.</summary>
    public string? LamassuWrapper { get; init; }

    /// <summary>The OS user lamassu-server runs as.</summary>
    public string? LamassuServiceUser { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public bool IsLocal => Host is null;

    public const string PortOutOfRange = "PortOutOfRange";

    /// <summary>An instance's SSH port as given (null: SSH's default), or its PortOutOfRange error: the one check of every instance built from input.</summary>
    public static int? CheckedPort(string name, int? port) => port is null or (>= 1 and <= 65535) ? port
        : throw new LamassuOpsException(PortOutOfRange, FailureKind.InvalidArgument, $"The instance '{name}' has the port {port}, which is no TCP port.",
            name, "Give a port from 1 to 65535, or none for SSH's default (22).");

    /// <summary>The name again, under the name every cmdlet's -Instance binds from and every output is stamped with.</summary>
    public string Instance => Name;
}
