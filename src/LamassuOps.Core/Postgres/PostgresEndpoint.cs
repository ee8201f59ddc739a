using Npgsql;

namespace LamassuOps.Core.Postgres;

/// <summary>
/// Where and as whom to connect, with every default resolved, password unmasked. Internal currency of the
/// PostgreSQL commands; shown to users only through <see cref="PostgresConnectionInfo"/> (masked).
/// </summary>
public sealed record PostgresEndpoint(
    string Host,
    int Port,
    string Username,
    string? Password,
    string Database,
    IReadOnlyList<KeyValuePair<string, string>> Parameters,
    IReadOnlyList<string> Defaulted)
{
    public const int DefaultPort = 5432;
    public const string DefaultSocketDirectory = "/run/postgresql";

    public bool IsUnixSocket => Host.StartsWith('/');

    /// <summary>The socket file libpq, node-postgres and Npgsql open for a socket directory and port.</summary>
    public string? SocketPath => IsUnixSocket ? SocketFile(Host, Port) : null;

    public static string SocketFile(string directory, int port) => Path.Combine(directory, $".s.PGSQL.{port}");

    /// <summary>A socket endpoint without password, for peer authentication.</summary>
    public static PostgresEndpoint Socket(string directory, int port, string username, string database) =>
        new(directory, port, username, null, database, [], []);

    /// <summary>URL query parameters Npgsql has an equivalent for (libpq name, Npgsql keyword).</summary>
    private static readonly IReadOnlyDictionary<string, string> NpgsqlKeywords = new Dictionary<string, string>
    {
        ["sslmode"] = "SSL Mode",
        ["sslcert"] = "SSL Certificate",
        ["sslkey"] = "SSL Key",
        ["sslpassword"] = "SSL Password",
        ["sslrootcert"] = "Root Certificate",
        ["application_name"] = "Application Name",
        ["connect_timeout"] = "Timeout",
        ["options"] = "Options",
        ["client_encoding"] = "Client Encoding",
        ["target_session_attrs"] = "Target Session Attributes",
        ["channel_binding"] = "Channel Binding",
        ["gssencmode"] = "GSS Encryption Mode",
        ["krbsrvname"] = "Kerberos Service Name",
        ["passfile"] = "Passfile",
        ["keepalives_idle"] = "TCP Keepalive Time",
        ["keepalives_interval"] = "TCP Keepalive Interval",
    };

    /// <summary>Query parameters whose values are secrets.</summary>
    public static bool IsSecretParameter(string name) =>
        name is "password" or "sslpassword";

    /// <summary>
    /// The Npgsql connection string for this endpoint. Parameters without an Npgsql equivalent are left out
    /// (reported through <paramref name="unmapped"/>). With <paramref name="maskSecrets"/> the password is masked,
    /// for display only.
    /// </summary>
    public string ToNpgsqlConnectionString(bool maskSecrets, ICollection<string>? unmapped = null, bool pooling = true)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Username = Username,
            Database = Database,
        };
        if (Password is not null) builder.Password = maskSecrets ? Secret.MaskPassword(Password) : Password;
        if (!pooling) builder.Pooling = false;
        foreach (var (name, value) in Parameters)
        {
            if (!NpgsqlKeywords.TryGetValue(name, out var keyword))
            {
                unmapped?.Add(name);
                continue;
            }
            try
            {
                builder[keyword] = maskSecrets && IsSecretParameter(name) ? Secret.MaskPassword(value) : NpgsqlValue(name, value);
            }
            catch (ArgumentException)
            {
                throw new LamassuOpsException("PostgresUrlInvalidParameter", FailureKind.InvalidArgument,
                    $"The URL parameter {name} has a value Npgsql does not accept.", name);
            }
        }
        return builder.ConnectionString;
    }

    /// <summary>libpq spells enum values with dashes (verify-full, read-write); Npgsql's names have none.</summary>
    private static string NpgsqlValue(string name, string value) =>
        name is "sslmode" or "target_session_attrs" or "gssencmode" or "channel_binding"
            ? value.Replace("-", "", StringComparison.Ordinal)
            : value;
}
