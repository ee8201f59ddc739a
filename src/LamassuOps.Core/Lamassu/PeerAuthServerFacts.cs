using System.Text.RegularExpressions;
using LamassuOps.Core.Postgres;
using Npgsql;

namespace LamassuOps.Core.Lamassu;

/// <summary>A pg_hba.conf rule as the server parsed it (pg_hba_file_rules).</summary>
internal sealed record HbaRule(int LineNumber, string Type, IReadOnlyList<string> Databases, IReadOnlyList<string> Users,
    string? Address, string? Netmask, string Method, IReadOnlyList<string> Options)
{
    public static readonly string[] PasswordMethods = ["scram-sha-256", "md5", "password"];

    public string? Map => Options.FirstOrDefault(o => o.StartsWith("map=", StringComparison.Ordinal))?[4..];

    public string Text => string.Join(' ', new[] { Type, string.Join(',', Databases), string.Join(',', Users), AddressText, Method }
        .Concat(Options).Where(part => !string.IsNullOrEmpty(part)));

    public string? AddressText => Address is null ? null : Netmask is null ? Address : $"{Address} {Netmask}";

    public bool Matches(string role, IReadOnlySet<string> memberOf, string database) =>
        Users.Any(u => u == "all" || u == role || (u.StartsWith('+') && memberOf.Contains(u[1..])) || RegexMatches(u, role))
        && Databases.Any(d => d == "all" || d == database || (d == "sameuser" && database == role)
                              || (d == "samerole" && memberOf.Contains(database)) || RegexMatches(d, database));

    private static bool RegexMatches(string entry, string value) =>
        entry.StartsWith('/') && Regex.IsMatch(value, entry[1..], RegexOptions.None, TimeSpan.FromSeconds(1));
}

/// <summary>One pg_ident.conf line.</summary>
internal sealed record IdentMapping(int LineNumber, string Map, string SystemUser, string DatabaseUser)
{
    public string Text => $"pg_ident.conf line {LineNumber}: {Map} {SystemUser} {DatabaseUser}";

    /// <summary>Whether this line lets the OS user log in as the role ('/regex' system users and \1 included).</summary>
    public bool Allows(string osUser, string role)
    {
        if (!SystemUser.StartsWith('/')) return SystemUser == osUser && (DatabaseUser == role || DatabaseUser == "all");
        var match = Regex.Match(osUser, SystemUser[1..], RegexOptions.None, TimeSpan.FromSeconds(1));
        return match.Success && (DatabaseUser == "all" || DatabaseUser.Replace(@"\1", match.Groups.Count > 1 ? match.Groups[1].Value : "") == role);
    }
}

/// <summary>
/// What the server says about the role the service logs in as, read as an administrator over the socket: the role, its
/// password (pg_authid, superuser only), the database owner, pg_hba.conf and pg_ident.conf as parsed (superuser only).
/// What cannot be read stays unknown, never assumed.
/// </summary>
internal sealed record PeerAuthServerFacts(
    bool RoleExists,
    bool RoleCanLogin,
    RolePasswordState Password,
    string? DatabaseOwner,
    IReadOnlyList<HbaRule>? HbaRules,
    IReadOnlyList<IdentMapping> IdentMappings,
    IReadOnlySet<string> MemberOf)
{
    public static PeerAuthServerFacts Read(NpgsqlConnection connection, string role, string database, IOperationHost host)
    {
        var login = PostgresConnector.Query(connection, "SELECT rolcanlogin FROM pg_roles WHERE rolname = $1", r => r.GetBoolean(0), role);
        var memberOf = PostgresConnector.Query(connection, """
            SELECT g.rolname FROM pg_roles u JOIN pg_auth_members m ON m.member = u.oid JOIN pg_roles g ON g.oid = m.roleid
            WHERE u.rolname = $1
            """, r => r.GetString(0), role).ToHashSet(StringComparer.Ordinal);
        var owner = PostgresConnector.Query(connection, "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = $1",
            r => r.GetString(0), database).SingleOrDefault();
        return new PeerAuthServerFacts(login.Count == 1, login.SingleOrDefault(), ReadPassword(connection, role, host), owner,
            ReadHbaRules(connection, host), ReadIdentMappings(connection, host), memberOf);
    }

    public static RolePasswordState ReadPassword(NpgsqlConnection connection, string role, IOperationHost host) =>
        Readable(connection, host, "pg_authid", () =>
            PostgresConnector.Query(connection, "SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = $1", r => r.GetBoolean(0), role)
                .Select(set => (RolePasswordState?)(set ? RolePasswordState.Set : RolePasswordState.None)).SingleOrDefault())
        ?? RolePasswordState.Unknown;

    /// <summary>The first 'local' rule for the role and database: the one a socket connection meets.</summary>
    public HbaRule? LocalRule(string role, string database) =>
        HbaRules?.FirstOrDefault(rule => rule.Type == "local" && rule.Matches(role, MemberOf, database));

    /// <summary>Every TCP rule that would accept a password for the role (in line order).</summary>
    public IReadOnlyList<HbaPasswordRule> PasswordRules(string role, string database) =>
        (HbaRules ?? []).Where(rule => rule.Type.StartsWith("host", StringComparison.Ordinal)
                                       && HbaRule.PasswordMethods.Contains(rule.Method) && rule.Matches(role, MemberOf, database))
            .Select(rule => new HbaPasswordRule
            {
                LineNumber = rule.LineNumber, Rule = rule.Text, Method = rule.Method, Fix = PasswordRuleFix(rule, role, database),
            })
            .ToList();

    /// <summary>
    /// A rule for this role alone is deleted; a rule shared with other roles stays and gets a reject line for this role
    /// above it, so only this role loses the password path.
    /// </summary>
    private static string PasswordRuleFix(HbaRule rule, string role, string database)
    {
        var onlyThisRole = rule.Users.Count == 1 && rule.Users[0] == role;
        if (onlyThisRole)
            return $"Delete pg_hba.conf line {rule.LineNumber} ('{rule.Text}') and reload PostgreSQL; " +
                   $"NixOS: remove that line from services.postgresql.authentication.";
        var reject = $"{rule.Type} {database} {role} {rule.AddressText} reject";
        return $"Insert '{reject}' above pg_hba.conf line {rule.LineNumber} ('{rule.Text}', shared with other roles) and reload PostgreSQL; " +
               $"NixOS: services.postgresql.authentication = lib.mkBefore \"{reject}\";";
    }

    private static IReadOnlyList<HbaRule>? ReadHbaRules(NpgsqlConnection connection, IOperationHost host) =>
        Readable(connection, host, "pg_hba_file_rules", () => PostgresConnector.Query(connection, """
            SELECT line_number, type, coalesce(database, '{}'), coalesce(user_name, '{}'), address, netmask, coalesce(auth_method, ''), coalesce(options, '{}')
            FROM pg_hba_file_rules WHERE error IS NULL ORDER BY line_number
            """,
            r => new HbaRule(r.GetInt32(0), r.GetString(1), r.GetFieldValue<string[]>(2), r.GetFieldValue<string[]>(3),
                r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.GetString(6), r.GetFieldValue<string[]>(7))));

    private static IReadOnlyList<IdentMapping> ReadIdentMappings(NpgsqlConnection connection, IOperationHost host) =>
        Readable(connection, host, "pg_ident_file_mappings", () => PostgresConnector.Query(connection, """
            SELECT line_number, map_name, sys_name, pg_username FROM pg_ident_file_mappings WHERE error IS NULL ORDER BY line_number
            """, r => new IdentMapping(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetString(3)))) ?? [];

    /// <summary>Reads a superuser-only view; null (unknown) when this role may not, or the server has no such view.</summary>
    private static T? Readable<T>(NpgsqlConnection connection, IOperationHost host, string view, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (PostgresException error) when (error.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.UndefinedTable)
        {
            host.WriteVerbose($"{view} is not readable here ({error.SqlState}: superuser only, or PostgreSQL too old): what it holds stays unknown.");
            return default;
        }
    }
}
