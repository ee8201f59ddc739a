using LamassuOps.Core;
using LamassuOps.Core.Postgres;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Postgres;

/// <summary>
/// Test-PeerAuth in this process, which runs as root: the ident map lets root log in as postgres and nobody else,
/// so the cases that depend on another OS user are in <see cref="PeerAuthAsOsUsersTests"/>.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PeerAuthTests(PostgresServer server)
{
    private PeerAuthReport Test(string user, string? database = null, string? socketDirectory = null, int? port = null, RecordingHost? host = null) =>
        PeerAuthTester.Test(new PeerAuthOptions
        {
            User = user,
            Database = database,
            SocketDirectory = socketDirectory ?? server.SocketDirectory,
            Port = port ?? server.Port,
        }, host ?? new RecordingHost());

    [Fact]
    public void SuperuserThroughTheIdentMapPassesAndSeesTheRuleAndMapping()
    {
        var report = Test("postgres");

        Assert.True(report.Succeeded, report.Message);
        Assert.Equal(PeerAuthDiagnosis.None, report.Diagnosis);
        Assert.Equal("root", report.OperatingSystemUser);
        Assert.Equal("postgres", report.AuthenticatedUser);
        Assert.Equal("postgres", report.Database);
        Assert.True(report.OverSocket);
        Assert.Equal("peer", report.AuthMethod);
        Assert.Equal("pg_hba.conf line 1: local all postgres peer map=admin", report.HbaRule);
        Assert.Contains("pg_ident.conf line 1: admin root postgres", report.IdentMappings);
        Assert.StartsWith("15.", report.ServerVersion);
        Assert.All(report.Checks, c => Assert.Equal(PeerAuthCheckStatus.Passed, c.Status));
        Assert.Contains(report.Checks, c => c.Name == "Authentication method" && c.Detail.Contains("map=admin"));
    }

    [Fact]
    public void OsUserThatIsNotTheRoleIsAPeerMismatchWithTheIdentMapFix()
    {
        var report = Test(PostgresServer.ServiceUser);

        Assert.False(report.Succeeded);
        Assert.Equal(PeerAuthDiagnosis.PeerMismatch, report.Diagnosis);
        Assert.Equal("28000", report.SqlState);
        Assert.Contains("OS user 'root'", report.Message);
        Assert.Contains($"'lamassu root {PostgresServer.ServiceUser}'", report.Fix);
        Assert.Contains($"User={PostgresServer.ServiceUser}", report.Fix);
        Assert.Contains(report.Checks, c => c is { Name: "Authenticated", Status: PeerAuthCheckStatus.Failed });
    }

    [Fact]
    public void MissingDatabaseIsDiagnosedAfterAuthenticationWorked()
    {
        var report = Test("postgres", "lamassuops-nowhere");

        Assert.Equal(PeerAuthDiagnosis.DatabaseMissing, report.Diagnosis);
        Assert.Equal("3D000", report.SqlState);
        Assert.Contains("ensureDatabases", report.Fix);
        Assert.Contains(report.Checks, c => c is { Name: "Authenticated", Status: PeerAuthCheckStatus.Passed });
        Assert.Contains(report.Checks, c => c is { Name: "Database exists", Status: PeerAuthCheckStatus.Failed });
    }

    [Fact]
    public void WrongPortFindsNoSocketAndNamesTheOneThatExists()
    {
        var report = Test("postgres", port: server.Port + 7);

        Assert.Equal(PeerAuthDiagnosis.NoSocket, report.Diagnosis);
        Assert.Contains($".s.PGSQL.{server.Port}", report.Message);
        Assert.Contains(server.Port.ToString(), report.Fix);
        Assert.Contains(report.Checks, c => c is { Name: "Socket file", Status: PeerAuthCheckStatus.Failed });
    }

    [Fact]
    public void MissingSocketDirectoryIsDiagnosed()
    {
        var report = Test("postgres", socketDirectory: Path.Combine(server.BaseDirectory, "no-such-dir"));

        Assert.Equal(PeerAuthDiagnosis.NoSocketDirectory, report.Diagnosis);
        Assert.Contains(report.Checks, c => c is { Name: "Socket directory", Status: PeerAuthCheckStatus.Failed });
    }

    [Fact]
    public void PasswordRuleForLocalConnectionsMeansPeerIsNotInUse()
    {
        var report = Test(PostgresServer.ServiceUser, PostgresServer.PasswordDatabase);

        Assert.Equal(PeerAuthDiagnosis.PasswordRequested, report.Diagnosis);
        Assert.Contains($"'local {PostgresServer.PasswordDatabase} {PostgresServer.ServiceUser} peer'", report.Fix);
    }

    [Fact]
    public void ServerStillStartingUpIsDiagnosed()
    {
        var (socketDirectory, port) = server.ClusterStillStartingUp();

        var report = Test("postgres", socketDirectory: socketDirectory, port: port);

        Assert.Equal(PeerAuthDiagnosis.StartingUp, report.Diagnosis);
        Assert.Equal("57P03", report.SqlState);
        Assert.Contains("After=postgresql.target", report.Fix);
    }

    [Fact]
    public void CrashedServerWithAStaleSocketIsServerDown()
    {
        var (socketDirectory, port) = server.CrashedClusterWithStaleSocket();
        Assert.True(File.Exists(PostgresEndpoint.SocketFile(socketDirectory, port)));

        var report = Test("postgres", socketDirectory: socketDirectory, port: port);

        Assert.Equal(PeerAuthDiagnosis.ServerDown, report.Diagnosis);
        Assert.Contains("stale socket", report.Message);
        Assert.Contains(report.Checks, c => c is { Name: "Socket file", Status: PeerAuthCheckStatus.Passed });
        Assert.Contains(report.Checks, c => c is { Name: "Server answers", Status: PeerAuthCheckStatus.Failed });
    }

    [Fact]
    public void RoleThatDoesNotOwnTheDatabaseFailsWithEnsureDbOwnership()
    {
        var report = Test("postgres", PostgresServer.ServiceUser);

        Assert.Equal(PeerAuthDiagnosis.NotDatabaseOwner, report.Diagnosis);
        Assert.Equal(PostgresServer.ServiceUser, report.DatabaseOwner);
        Assert.Contains("ensureDBOwnership = true", report.Fix);
    }

    [Fact]
    public void PasswordOverTcpConnectsButIsNotPeerAuthentication()
    {
        var url = $"postgresql://{PostgresServer.PasswordRole}:{Uri.EscapeDataString(PostgresServer.Password)}@127.0.0.1:{server.Port}/{PostgresServer.TcpDatabase}";
        var host = new RecordingHost();

        var report = PeerAuthTester.Test(new PeerAuthOptions { DatabaseUrl = url }, host);

        Assert.Equal(PeerAuthDiagnosis.NotOverSocket, report.Diagnosis);
        Assert.False(report.OverSocket);
        Assert.Equal(PostgresServer.PasswordRole, report.AuthenticatedUser);
        Assert.Contains("host=/run/postgresql", report.Fix);
        Assert.DoesNotContain("P@ss", string.Join("\n", report.Message, report.Fix, host.AllMessages,
            string.Join("\n", report.Checks.Select(c => c.Detail))));
    }

    [Fact]
    public void TcpWithoutAMatchingHostRuleIsNoHbaEntry()
    {
        var report = PeerAuthTester.Test(new PeerAuthOptions { DatabaseUrl = $"postgresql://postgres:x@127.0.0.1:{server.Port}/postgres" }, new RecordingHost());

        Assert.Equal(PeerAuthDiagnosis.NoHbaEntry, report.Diagnosis);
        Assert.Contains("Unix socket", report.Fix);
    }

    [Fact]
    public void WrongPasswordOverTcpIsPasswordFailed()
    {
        var report = PeerAuthTester.Test(new PeerAuthOptions
        {
            DatabaseUrl = $"postgresql://{PostgresServer.PasswordRole}:wrong@127.0.0.1:{server.Port}/{PostgresServer.TcpDatabase}",
        }, new RecordingHost());

        Assert.Equal(PeerAuthDiagnosis.PasswordFailed, report.Diagnosis);
        Assert.Equal("28P01", report.SqlState);
    }

    [Fact]
    public void AssertRaisesTheDiagnosisWithItsFix()
    {
        var error = Assert.Throws<LamassuOpsException>(() => PeerAuthTester.Assert(new PeerAuthOptions
        {
            User = PostgresServer.ServiceUser, SocketDirectory = server.SocketDirectory, Port = server.Port,
        }, new RecordingHost()));

        Assert.Equal("PeerAuthPeerMismatch", error.ErrorId);
        Assert.Equal(FailureKind.AuthenticationError, error.Kind);
        Assert.Contains("pg_ident.conf", error.RecommendedAction);
    }

    [Fact]
    public void AssertReturnsTheReportWhenPeerAuthWorks()
    {
        var report = PeerAuthTester.Assert(new PeerAuthOptions { User = "postgres", SocketDirectory = server.SocketDirectory, Port = server.Port },
            new RecordingHost());

        Assert.True(report.Succeeded);
    }
}
