using System.Text.Json;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Postgres;

/// <summary>
/// Peer authentication depends on the OS user of the connecting process, so these run the built lamassuops as the
/// test OS users (runuser) against the real server and read its --json output.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PeerAuthAsOsUsersTests(PostgresServer server)
{
    private JsonElement TestAs(string osUser, params string[] args) => TestAtSocket(osUser, server.SocketDirectory, args);

    private JsonElement TestAtSocket(string osUser, string socketDirectory, params string[] args)
    {
        var result = server.RunCliAs(osUser, ["Test-PeerAuth", "--socket-directory", socketDirectory, "--port", server.Port.ToString(), .. args, "--json"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return Assert.Single(result.JsonLines);
    }

    private static string Diagnosis(JsonElement report) => report.GetProperty("Diagnosis").GetString()!;

    [Fact]
    public void ServiceUserConnectsAsItsOwnRole()
    {
        var report = TestAs(PostgresServer.ServiceUser);

        Assert.True(report.GetProperty("Succeeded").GetBoolean(), report.ToString());
        Assert.Equal("None", Diagnosis(report));
        Assert.Equal(PostgresServer.ServiceUser, report.GetProperty("OperatingSystemUser").GetString());
        Assert.Equal(PostgresServer.ServiceUser, report.GetProperty("AuthenticatedUser").GetString());
        Assert.Equal(PostgresServer.ServiceUser, report.GetProperty("DatabaseOwner").GetString());
        Assert.True(report.GetProperty("OverSocket").GetBoolean());
        // Not a superuser on PostgreSQL 15: neither system_user nor pg_hba_file_rules tells the method.
        Assert.Equal(JsonValueKind.Null, report.GetProperty("AuthMethod").ValueKind);
        var method = report.GetProperty("Checks").EnumerateArray().Single(c => c.GetProperty("Name").GetString() == "Authentication method");
        Assert.Equal("Skipped", method.GetProperty("Status").GetString());
    }

    [Fact]
    public void IdentMapLetsAnotherOsUserInAsTheMappedRole()
    {
        var report = TestAs(PostgresServer.OtherUser, "--user", PostgresServer.MappedRole);

        Assert.True(report.GetProperty("Succeeded").GetBoolean(), report.ToString());
        Assert.Equal(PostgresServer.MappedRole, report.GetProperty("AuthenticatedUser").GetString());
    }

    [Fact]
    public void OsUserWithoutAMappingIsAPeerMismatch()
    {
        var report = TestAs(PostgresServer.OtherUser, "--user", PostgresServer.ServiceUser);

        Assert.Equal("PeerMismatch", Diagnosis(report));
        Assert.Contains($"'lamassu {PostgresServer.OtherUser} {PostgresServer.ServiceUser}'", report.GetProperty("Fix").GetString());
    }

    [Fact]
    public void MissingRoleIsDiagnosedWithEnsureUsers()
    {
        var report = TestAs(PostgresServer.NoRoleUser);

        Assert.Equal("RoleMissing", Diagnosis(report));
        Assert.Equal("28000", report.GetProperty("SqlState").GetString());
        Assert.Contains($"ensureUsers = [ {{ name = \"{PostgresServer.NoRoleUser}\"; ensureDBOwnership = true; }} ]", report.GetProperty("Fix").GetString());
    }

    [Fact]
    public void NoLoginRoleIsDiagnosed()
    {
        var report = TestAs(PostgresServer.NoLoginUser);

        Assert.Equal("RoleNoLogin", Diagnosis(report));
        Assert.Contains($"ALTER ROLE \"{PostgresServer.NoLoginUser}\" LOGIN", report.GetProperty("Fix").GetString());
    }

    [Fact]
    public void SocketDirectoryTheUserMayNotSearchIsPermissionDenied()
    {
        var report = TestAtSocket(PostgresServer.ServiceUser, server.PrivateSocketDirectory);

        Assert.Equal("SocketPermissionDenied", Diagnosis(report));
        Assert.Contains("mode 0700", report.GetProperty("Message").GetString());
        Assert.Contains("chmod 0755", report.GetProperty("Fix").GetString());
    }

    [Fact]
    public void DatabaseOfAnotherOwnerFails()
    {
        var report = TestAs(PostgresServer.ServiceUser, "--database", PostgresServer.ForeignDatabase);

        Assert.Equal("NotDatabaseOwner", Diagnosis(report));
        Assert.Equal("postgres", report.GetProperty("DatabaseOwner").GetString());
    }

    [Fact]
    public void SchemaWithoutCreatePrivilegeFails()
    {
        server.Execute("CREATE SCHEMA IF NOT EXISTS locked AUTHORIZATION postgres", PostgresServer.ServiceUser);

        var locked = TestAs(PostgresServer.ServiceUser, "--schema", "locked");
        var missing = TestAs(PostgresServer.ServiceUser, "--schema", "nonexistent");

        Assert.Equal("CannotCreateInSchema", Diagnosis(locked));
        Assert.Contains("GRANT CREATE ON SCHEMA \"locked\"", locked.GetProperty("Fix").GetString());
        Assert.Equal("CannotCreateInSchema", Diagnosis(missing));
        Assert.Contains("does not exist", missing.GetProperty("Message").GetString());
    }

    [Fact]
    public void QuietReturnsOnlyABooleanAndExitsOneWhenItIsFalse()
    {
        var good = server.RunCliAs(PostgresServer.ServiceUser, "Test-PeerAuth", "--socket-directory", server.SocketDirectory, "--port", server.Port.ToString(), "--quiet", "--json");
        var bad = server.RunCliAs(PostgresServer.NoRoleUser, "Test-PeerAuth", "--socket-directory", server.SocketDirectory, "--port", server.Port.ToString(), "--quiet", "--json");

        Assert.Equal((0, "true"), (good.ExitCode, good.Stdout.Trim()));
        Assert.Equal((1, "false"), (bad.ExitCode, bad.Stdout.Trim()));
    }

    [Fact]
    public void AssertFailsWithTheErrorIdAndFixOrPassesSilently()
    {
        string[] target = ["--socket-directory", server.SocketDirectory, "--port", server.Port.ToString()];

        var failed = server.RunCliAs(PostgresServer.NoLoginUser, ["Assert-PeerAuth", .. target]);
        var passed = server.RunCliAs(PostgresServer.ServiceUser, ["Assert-PeerAuth", .. target]);
        var passedThrough = server.RunCliAs(PostgresServer.ServiceUser, ["Assert-PeerAuth", .. target, "--pass-thru", "--json"]);

        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("lamassuops: PeerAuthRoleNoLogin:", failed.Stderr);
        Assert.Contains("fix: ALTER ROLE", failed.Stderr);
        Assert.Equal((0, ""), (passed.ExitCode, passed.Stdout));
        Assert.True(Assert.Single(passedThrough.JsonLines).GetProperty("Succeeded").GetBoolean());
    }

    [Fact]
    public void DatabaseUrlWithAnEncodedSocketHostWorksAsForLamassu()
    {
        var url = $"postgres://{PostgresServer.ServiceUser}:@{Uri.EscapeDataString(server.SocketDirectory)}:{server.Port}/{PostgresServer.ServiceUser}";

        var result = server.RunCliAs(PostgresServer.ServiceUser, "Test-PeerAuth", "--database-url", url, "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(Assert.Single(result.JsonLines).GetProperty("Succeeded").GetBoolean(), result.Stdout);
    }
}
