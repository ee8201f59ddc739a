using Npgsql;

namespace LamassuOps.Core.Postgres;

/// <summary>
/// The pg_hba.conf rule a local connection matches and the ident map lines it uses, read from pg_hba_file_rules and
/// pg_ident_file_mappings (the files as on disk). Both views are for superusers only by default; for anyone else the
/// facts are simply unknown.
/// </summary>
internal sealed record HbaFacts(string? Rule, string? Method, IReadOnlyList<string> IdentMappings)
{
    private static readonly HbaFacts Unknown = new(null, null, []);

    public static HbaFacts Read(NpgsqlConnection connection, PostgresEndpoint endpoint, IOperationHost host)
    {
        if (!endpoint.IsUnixSocket) return Unknown;
        try
        {
            // First 'local' rule whose database and user lists name this connection (regular-expression entries are not evaluated).
            var rule = PostgresConnector.Query(connection, """
                SELECT h.line_number, array_to_string(h.database, ','), array_to_string(h.user_name, ','), h.auth_method,
                       coalesce(array_to_string(h.options, ' '), ''),
                       (SELECT substr(o, 5) FROM unnest(h.options) o WHERE o LIKE 'map=%')
                FROM pg_hba_file_rules h
                WHERE h.type = 'local' AND h.error IS NULL
                  AND ('all' = ANY (h.database) OR current_database() = ANY (h.database)
                       OR ('sameuser' = ANY (h.database) AND current_database() = session_user)
                       OR ('samerole' = ANY (h.database) AND EXISTS (
                           SELECT 1 FROM pg_roles r WHERE r.rolname = current_database() AND pg_has_role(session_user, r.oid, 'MEMBER'))))
                  AND ('all' = ANY (h.user_name) OR session_user = ANY (h.user_name)
                       OR EXISTS (SELECT 1 FROM unnest(h.user_name) u JOIN pg_roles r ON r.rolname = substr(u, 2)
                                  WHERE left(u, 1) = '+' AND pg_has_role(session_user, r.oid, 'MEMBER')))
                ORDER BY h.line_number LIMIT 1
                """,
                r => (Text: $"pg_hba.conf line {r.GetInt32(0)}: local {r.GetString(1)} {r.GetString(2)} {r.GetString(3)} {r.GetString(4)}".TrimEnd(),
                    Method: r.GetString(3), Map: r.IsDBNull(5) ? null : r.GetString(5))).FirstOrDefault();
            if (rule.Text is null) return Unknown;
            return new HbaFacts(rule.Text, rule.Method, rule.Map is null ? [] : IdentLines(connection, rule.Map, host));
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            host.WriteVerbose("pg_hba_file_rules is not readable for this role (superuser only): the matching rule stays unknown.");
            return Unknown;
        }
    }

    private static IReadOnlyList<string> IdentLines(NpgsqlConnection connection, string map, IOperationHost host)
    {
        try
        {
            return PostgresConnector.Query(connection, """
                SELECT line_number, map_name, sys_name, pg_username FROM pg_ident_file_mappings
                WHERE map_name = $1 AND error IS NULL ORDER BY line_number
                """,
                r => $"pg_ident.conf line {r.GetInt32(0)}: {r.GetString(1)} {r.GetString(2)} {r.GetString(3)}", map);
        }
        catch (PostgresException error) when (error.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.UndefinedTable)
        {
            host.WriteVerbose("pg_ident_file_mappings is not readable here (PostgreSQL 15+, superuser only).");
            return [];
        }
    }
}
