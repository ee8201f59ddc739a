using Npgsql;

namespace LamassuOps.Core.Postgres;

/// <summary>Opens the short-lived, unpooled connections the inspection commands use.</summary>
internal static class PostgresConnector
{
    private const int ConnectTimeoutSeconds = 15;

    public static NpgsqlConnection Open(PostgresEndpoint endpoint, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(endpoint.ToNpgsqlConnectionString(maskSecrets: false, pooling: false))
        {
            Timeout = ConnectTimeoutSeconds,
            ApplicationName = "lamassuops",
        };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            connection.OpenAsync(cancellationToken).GetAwaiter().GetResult();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a session that refuses writes, for the commands that only read. A connection that fails is diagnosed
    /// as Test-PeerAuth does it (the error says why and what to change).
    /// </summary>
    public static NpgsqlConnection OpenReadOnly(PostgresEndpoint endpoint, IOperationHost host)
    {
        var connection = OpenDiagnosed(endpoint, host);
        try
        {
            Execute(connection, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Opens a connection; one that fails is diagnosed as Test-PeerAuth does it (the error says why and what to change).</summary>
    public static NpgsqlConnection OpenDiagnosed(PostgresEndpoint endpoint, IOperationHost host)
    {
        try
        {
            return Open(endpoint, host.CancellationToken);
        }
        catch (Exception error) when (error is NpgsqlException or TimeoutException)
        {
            var failure = PeerAuthFailure.FromException(error, endpoint, Environment.UserName);
            throw PeerAuthTester.Error(failure.Diagnosis, failure.Message, failure.Fix,
                $"{endpoint.Username}@{endpoint.SocketPath ?? endpoint.Host + ":" + endpoint.Port}/{endpoint.Database}");
        }
    }

    public static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>Runs a query and reads each row with <paramref name="read"/>.</summary>
    public static List<T> Query<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> read,
        params object?[] parameters)
    {
        using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters) command.Parameters.Add(new NpgsqlParameter { Value = parameter ?? DBNull.Value });
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(read(reader));
        return rows;
    }
}
