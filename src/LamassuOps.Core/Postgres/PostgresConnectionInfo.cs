namespace LamassuOps.Core.Postgres;

/// <summary>
/// A PostgreSQL connection URL taken apart: where it connects, as whom, to which database, and the same as an
/// Npgsql connection string (Npgsql does not accept URIs). Password values are masked unless asked for.
/// </summary>
public sealed class PostgresConnectionInfo
{
    /// <summary>The URL as given, with any password masked.</summary>
    public required string Url { get; init; }

    /// <summary>A socket directory (rooted path) or a host name / IP address.</summary>
    public required string Host { get; init; }

    public required int Port { get; init; }

    public required string Username { get; init; }

    /// <summary>Masked unless -IncludeSecret; null when the URL has none.</summary>
    public string? Password { get; init; }

    public required string Database { get; init; }

    /// <summary>True when <see cref="Host"/> is a socket directory (a Unix-domain socket, where peer auth applies).</summary>
    public required bool IsUnixSocket { get; init; }

    /// <summary>The socket file the client opens: &lt;directory&gt;/.s.PGSQL.&lt;port&gt;; null over TCP.</summary>
    public string? SocketPath { get; init; }

    /// <summary>Parts the URL did not give, filled from PG* variables or the client defaults (Host, Port, Username, Database).</summary>
    public required IReadOnlyList<string> Defaulted { get; init; }

    /// <summary>The other query parameters (sslmode, application_name, ...).</summary>
    public required IReadOnlyList<PostgresUrlParameter> Parameters { get; init; }

    /// <summary>The same connection for Npgsql; its password is masked unless -IncludeSecret.</summary>
    public required string NpgsqlConnectionString { get; init; }
}

/// <summary>One query parameter of a connection URL; secret values (password-like) are masked unless asked for.</summary>
public sealed class PostgresUrlParameter
{
    public required string Name { get; init; }

    public required string Value { get; init; }
}
