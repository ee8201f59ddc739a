using System.Text.Json;
using LamassuOps.Core.Lamassu;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Lamassu;

/// <summary>
/// The generated wrapper run by bash as the service's OS user, with a stand-in for lamassu that builds its URL exactly
/// as constants.js (and v12's typesafe-db) does and connects with the real node-postgres, against the real server.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EnvWrapperConnectionTests
{
    private readonly PostgresServer _server;
    private readonly string _root;
    private readonly string _newNodeModules;
    private readonly string _oldNodeModules;

    public EnvWrapperConnectionTests(PostgresServer server)
    {
        _server = server;
        // Under the server's directory (0755): the service user must read the packages, the node_modules and the wrapper.
        _root = Path.Combine(server.BaseDirectory, "wrappers", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        _newNodeModules = server.NodeModulesForTestUsers(Path.Combine(TestPaths.NodeModulesNew, "node_modules"), "node-new");
        _oldNodeModules = server.NodeModulesForTestUsers(Path.Combine(TestPaths.NodeModulesOld, "node_modules"), "node-old");
    }

    private LamassuEnvWrapper Wrapper(LamassuPackageTree package, LamassuDatabaseMode mode, string user = PostgresServer.ServiceUser,
        string database = PostgresServer.ServiceUser, string? passwordFile = null) =>
        EnvWrapperWriter.Write(new EnvWrapperOptions
        {
            Path = Path.Combine(_root, "lamassu-env-" + Guid.NewGuid().ToString("N")),
            PackagePath = package.Root,
            Mode = mode,
            DatabaseUser = user,
            DatabaseName = database,
            SocketDirectory = _server.SocketDirectory,
            Port = _server.Port,
            PasswordFile = passwordFile,
            Hostname = "atm.example.org",
            NodeDirectory = "/usr/bin",
        }, new RecordingHost());

    private static ProcessResult RunAsService(LamassuEnvWrapper wrapper, string osUser = PostgresServer.ServiceUser) =>
        ExternalProcess.Run("bash", [wrapper.Path, "node", "lamassu-check.js"], runAsUser: osUser);

    private static JsonElement[] Connected(ProcessResult result)
    {
        Assert.True(result.ExitCode == 0, result.Describe());
        return JsonSerializer.Deserialize<JsonElement[]>(result.Stdout)!;
    }

    [Fact]
    public void UnpatchedV10WithNewPgConnectionStringConnectsOverPeerThroughTheEncodedHost()
    {
        var package = LamassuPackageTree.V10(Path.Combine(_root, "v10"), databaseUrlPatch: false).WithRealNodePostgres(_newNodeModules);

        var wrapper = Wrapper(package, LamassuDatabaseMode.Auto);
        var sessions = Connected(RunAsService(wrapper));

        Assert.Equal(LamassuDatabaseMode.EncodedSocketHost, wrapper.Mode);
        var session = Assert.Single(sessions);
        Assert.Equal(PostgresServer.ServiceUser, session.GetProperty("user").GetString());
        Assert.True(session.GetProperty("overSocket").GetBoolean());
    }

    [Fact]
    public void PgConnectionString250ReadsTheEncodedHostWithItsPortAsOneDirectoryAndFails()
    {
        var package = LamassuPackageTree.V10(Path.Combine(_root, "old"), databaseUrlPatch: false).WithRealNodePostgres(_oldNodeModules);

        var wrapper = Wrapper(package, LamassuDatabaseMode.EncodedSocketHost);
        var result = RunAsService(wrapper);

        Assert.NotEqual(0, result.ExitCode);
        // 2.5.0 takes "<dir>:<port>" for the directory and, with no port left, uses 5432.
        Assert.Contains($"ENOENT {_server.SocketDirectory}:{_server.Port}/.s.PGSQL.5432", result.Stderr);
        Assert.Equal(LamassuDatabaseMode.PasswordTcp, PeerAuthReadinessReader.Read(package.Root, new RecordingHost()).RecommendedMode);
    }

    [Fact]
    public void PatchedV12ConnectsThroughDatabaseUrlInConstantsAndTypesafeDbEvenWithTheOldClient()
    {
        var package = LamassuPackageTree.V12(Path.Combine(_root, "v12"), constantsPatch: true, typesafeDbPatch: true).WithRealNodePostgres(_oldNodeModules);

        var wrapper = Wrapper(package, LamassuDatabaseMode.Auto);
        var sessions = Connected(RunAsService(wrapper));

        Assert.Equal(LamassuDatabaseMode.DatabaseUrl, wrapper.Mode);
        Assert.Equal(["constants", "typesafe-db"], sessions.Select(s => s.GetProperty("source").GetString()));
        Assert.All(sessions, s => Assert.Equal(PostgresServer.ServiceUser, s.GetProperty("user").GetString()));
        Assert.All(sessions, s => Assert.True(s.GetProperty("overSocket").GetBoolean()));
    }

    [Fact]
    public void PeerAuthThroughTheWrapperFailsForAnotherOsUser()
    {
        var package = LamassuPackageTree.V10(Path.Combine(_root, "v10"), databaseUrlPatch: false).WithRealNodePostgres(_newNodeModules);

        var result = RunAsService(Wrapper(package, LamassuDatabaseMode.EncodedSocketHost), osUser: PostgresServer.OtherUser);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"Peer authentication failed for user \"{PostgresServer.ServiceUser}\"", result.Stderr);
    }

    [Fact]
    public void PasswordOverTcpReadsThePasswordFileAtStartAndConnects()
    {
        var package = LamassuPackageTree.V10(Path.Combine(_root, "tcp"), databaseUrlPatch: false).WithRealNodePostgres(_oldNodeModules);
        var passwordFile = Path.Combine(_root, "db-password");
        File.WriteAllText(passwordFile, PostgresServer.Password + "\n");
        ExternalProcess.RunChecked("chown", PostgresServer.ServiceUser, passwordFile);
        ExternalProcess.RunChecked("chmod", "0400", passwordFile);

        var wrapper = Wrapper(package, LamassuDatabaseMode.Auto, PostgresServer.PasswordRole, PostgresServer.TcpDatabase, passwordFile);
        var sessions = Connected(RunAsService(wrapper));

        Assert.Equal(LamassuDatabaseMode.PasswordTcp, wrapper.Mode);
        Assert.DoesNotContain("P@ss", File.ReadAllText(wrapper.Path));
        var session = Assert.Single(sessions);
        Assert.Equal(PostgresServer.PasswordRole, session.GetProperty("user").GetString());
        Assert.False(session.GetProperty("overSocket").GetBoolean());
    }

    [Fact]
    public void ARawSocketPathInPostgresHostFailsEvenWithTheNewClient()
    {
        var package = LamassuPackageTree.V10(Path.Combine(_root, "raw"), databaseUrlPatch: false).WithRealNodePostgres(_newNodeModules);

        var result = ExternalProcess.Run("node", ["lamassu-check.js"], runAsUser: PostgresServer.ServiceUser, workingDirectory: package.Root,
            environment: new Dictionary<string, string?>
            {
                ["POSTGRES_USER"] = PostgresServer.ServiceUser, ["POSTGRES_PASSWORD"] = "", ["POSTGRES_HOST"] = _server.SocketDirectory,
                ["POSTGRES_PORT"] = _server.Port.ToString(), ["POSTGRES_DB"] = PostgresServer.ServiceUser,
            });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal("", result.Stdout);
    }
}
