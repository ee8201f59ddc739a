using LamassuOps.Core.Lamassu;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Lamassu;

/// <summary>The module change of the design note, for an instance's values: every snippet parses with nix-instantiate --parse (nix-bin).</summary>
public sealed class NixModuleChangeTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static void AssertParses(string snippet, string directory)
    {
        var file = Path.Combine(directory, $"module-{Guid.NewGuid():N}.nix");
        File.WriteAllText(file, snippet);
        var parsed = ExternalProcess.Run("nix-instantiate", ["--parse", file]);
        Assert.True(parsed.ExitCode == 0, parsed.Describe() + "\n" + snippet);
    }

    public static TheoryData<bool, LamassuDatabaseMode, string, string, string, int> Instances => new()
    {
        { false, LamassuDatabaseMode.EncodedSocketHost, "lamassu-server", "lamassu-server", "/run/postgresql", 5432 },
        { true, LamassuDatabaseMode.DatabaseUrl, "lamassu", "lamassu", "/run/postgresql", 5432 },
        { true, LamassuDatabaseMode.DatabaseUrl, "lamassu", "lamassu-db", "/run/post'gres ${x} ''", 6543 },
        { false, LamassuDatabaseMode.EncodedSocketHost, "lamassu", "atm", "/srv/pg ''${sock}'", 5433 },
    };

    [Theory]
    [MemberData(nameof(Instances))]
    public void TheSnippetParsesAndCarriesTheInstanceValues(bool v12, LamassuDatabaseMode mode, string user, string database, string socketDirectory, int port)
    {
        var package = v12
            ? LamassuPackageTree.V12(Path.Combine(_scratch.Path, "v12"), constantsPatch: true, typesafeDbPatch: true).WithPg("node_modules", "8.11.3", "2.6.2")
            : LamassuPackageTree.V10(Path.Combine(_scratch.Path, "v10"), databaseUrlPatch: false).WithPg("node_modules", "8.11.3", "2.6.2");
        var host = new RecordingHost();

        var change = NixModuleChange.Generate(new NixModuleChangeOptions
        {
            PackagePath = package.Root, DatabaseUser = user, DatabaseName = database, SocketDirectory = socketDirectory, Port = port,
        }, host);

        Assert.Equal(mode, change.Mode);
        AssertParses(change.Snippet, _scratch.Path);
        Assert.Contains($"name = \"{user}\";", change.Snippet);
        Assert.Equal(user == database, change.Snippet.Contains("ensureDBOwnership = true;"));
        Assert.Equal(user == database, host.Warnings.Count == 0);
        Assert.Equal(v12, change.Snippet.Contains("/packages/server/node_modules"));
        Assert.Contains(mode == LamassuDatabaseMode.DatabaseUrl ? "export DATABASE_URL='postgresql://" : "export POSTGRES_HOST='%2F", change.Snippet);
        Assert.DoesNotContain("lamassu-db-password", change.Snippet);
        Assert.DoesNotContain("POSTGRES_PASSWORD=", mode == LamassuDatabaseMode.DatabaseUrl ? change.Snippet : "");
        Assert.Contains(change.Delete, item => item.StartsWith("nix-bitcoin.secrets.lamassu-db-password", StringComparison.Ordinal));
        Assert.Contains(change.Delete, item => item.StartsWith("makePasswordSecret lamassu-db-password", StringComparison.Ordinal));
        Assert.Contains(change.Delete, item => item.StartsWith("systemd.services.lamassu-postgres-setup", StringComparison.Ordinal));
        Assert.Contains(change.Delete, item => item.StartsWith("POSTGRES_HOST, POSTGRES_PORT and POSTGRES_PASSWORD", StringComparison.Ordinal));
    }

    [Fact]
    public void TheWrapperInTheSnippetIsTheOneNewLamassuEnvWrapperWritesForTheDatabase()
    {
        var package = LamassuPackageTree.V12(Path.Combine(_scratch.Path, "v12"), constantsPatch: true, typesafeDbPatch: true).WithPg("node_modules", "8.11.3", "2.6.2");
        var wrapper = EnvWrapperWriter.Write(new EnvWrapperOptions
        {
            Path = Path.Combine(_scratch.Path, "lamassu-env"), PackagePath = package.Root, DatabaseUser = "lamassu", Hostname = "atm.example.org",
            NodeDirectory = "/usr/bin",
        }, new RecordingHost());

        var change = NixModuleChange.Generate(new NixModuleChangeOptions { PackagePath = package.Root, DatabaseUser = "lamassu" }, new RecordingHost());

        var url = wrapper.Text.Split('\n').Single(line => line.StartsWith("export DATABASE_URL=", StringComparison.Ordinal));
        Assert.Contains("    " + url + "\n", change.Snippet);
        Assert.Equal("export DATABASE_URL='postgresql://lamassu@/lamassu?host=/run/postgresql'", url);
    }

    [Fact]
    public void APackageWithoutAPeerModeIsRefused()
    {
        var package = LamassuPackageTree.V10(Path.Combine(_scratch.Path, "old"), databaseUrlPatch: false).WithPg("node_modules", "8.7.3", "2.5.0");

        var error = Assert.Throws<LamassuOps.Core.LamassuOpsException>(() =>
            NixModuleChange.Generate(new NixModuleChangeOptions { PackagePath = package.Root, DatabaseUser = "lamassu" }, new RecordingHost()));

        Assert.Equal("PeerAuthNotSupported", error.ErrorId);
        Assert.Contains("-Mode DatabaseUrl", error.RecommendedAction);
    }
}
