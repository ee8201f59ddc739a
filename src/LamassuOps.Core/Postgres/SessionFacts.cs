using Npgsql;

namespace LamassuOps.Core.Postgres;

/// <summary>What the server says about the session just opened.</summary>
internal sealed record SessionFacts(
    string SessionUser,
    bool OverSocket,
    string ServerVersion,
    int ServerVersionNumber,
    string? SystemUser,
    string DatabaseOwner,
    bool? CanCreateInSchema)
{
    public static SessionFacts Read(NpgsqlConnection connection, string schema)
    {
        var facts = PostgresConnector.Query(connection, """
            SELECT session_user::text,
                   inet_client_addr() IS NULL,
                   current_setting('server_version'),
                   current_setting('server_version_num')::int,
                   pg_get_userbyid(d.datdba)::text,
                   (SELECT has_schema_privilege(n.oid, 'CREATE') FROM pg_namespace n WHERE n.nspname = $1)
            FROM pg_database d WHERE d.datname = current_database()
            """,
            r => new SessionFacts(r.GetString(0), r.GetBoolean(1), r.GetString(2), r.GetInt32(3), null, r.GetString(4),
                r.IsDBNull(5) ? null : r.GetBoolean(5)),
            schema).Single();
        // system_user (PostgreSQL 16+) says how the session authenticated, e.g. peer:lamassu-server; null for trust.
        return facts.ServerVersionNumber >= 160000
            ? facts with { SystemUser = PostgresConnector.Query(connection, "SELECT system_user", r => r.IsDBNull(0) ? null : r.GetString(0)).Single() }
            : facts;
    }
}
