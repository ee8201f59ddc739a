using LamassuOps.Core;
using LamassuOps.Core.Lamassu;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Lamassu;

public sealed class PeerAuthReadinessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lamassuops-readiness-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string PackageDirectory(string name) => Path.Combine(_root, name);

    private static LamassuPeerAuthReadiness Read(LamassuPackageTree tree) => PeerAuthReadinessReader.Read(tree.Root, new RecordingHost());

    [Fact]
    public void V10UnpatchedWithNewPgConnectionStringSupportsTheEncodedSocketHost()
    {
        var tree = LamassuPackageTree.V10(PackageDirectory("v10"), databaseUrlPatch: false).WithPg("node_modules", "8.11.3", "2.6.2");

        var readiness = Read(tree);

        Assert.Equal(LamassuLayout.V10Root, readiness.Layout);
        Assert.Equal("lib/constants.js", readiness.ConstantsFile);
        Assert.False(readiness.ConstantsReadsDatabaseUrl);
        Assert.Null(readiness.TypesafeDbReadsDatabaseUrl);
        Assert.False(readiness.SupportsDatabaseUrl);
        Assert.True(readiness.SupportsEncodedSocketHost);
        Assert.Equal(LamassuDatabaseMode.EncodedSocketHost, readiness.RecommendedMode);
        var use = Assert.Single(readiness.PgConnectionStrings);
        Assert.Equal(("node_modules/pg", "8.11.3", "node_modules/pg-connection-string", "2.6.2"), (use.PgPath, use.PgVersion, use.Path, use.Version));
    }

    [Fact]
    public void V10UnpatchedWithPgConnectionString250NeedsThePasswordOverTcp()
    {
        var tree = LamassuPackageTree.V10(PackageDirectory("v10"), databaseUrlPatch: false).WithPg("node_modules", "8.7.3", "2.5.0");

        var readiness = Read(tree);

        Assert.False(readiness.SupportsEncodedSocketHost);
        Assert.Equal(LamassuDatabaseMode.PasswordTcp, readiness.RecommendedMode);
        Assert.Contains(readiness.Reasons, r => r.Contains("2.5.0") && r.Contains("older than 2.6.0"));
    }

    [Fact]
    public void V10WithTheDatabaseUrlPatchRecommendsDatabaseUrlWhateverThePgVersion()
    {
        var tree = LamassuPackageTree.V10(PackageDirectory("v10"), databaseUrlPatch: true).WithPg("node_modules", "8.7.3", "2.5.0");

        var readiness = Read(tree);

        Assert.True(readiness.ConstantsReadsDatabaseUrl);
        Assert.True(readiness.SupportsDatabaseUrl);
        Assert.Equal(LamassuDatabaseMode.DatabaseUrl, readiness.RecommendedMode);
    }

    [Theory]
    [InlineData(true, true, "dist", true)]
    [InlineData(true, true, "lib", true)]
    [InlineData(true, false, "dist", false)]
    [InlineData(false, true, "dist", false)]
    [InlineData(true, true, null, false)]
    public void V12NeedsThePatchInConstantsAndInTypesafeDbsCompiledOutput(bool constantsPatch, bool typesafePatch, string? output, bool supported)
    {
        var tree = LamassuPackageTree.V12(PackageDirectory("v12"), constantsPatch, typesafePatch, output).WithPg("node_modules", "8.16.3", "2.9.1");

        var readiness = Read(tree);

        Assert.Equal(LamassuLayout.V12Packages, readiness.Layout);
        Assert.Equal("packages/server/lib/constants.js", readiness.ConstantsFile);
        Assert.Equal(supported, readiness.SupportsDatabaseUrl);
        Assert.Equal(supported ? LamassuDatabaseMode.DatabaseUrl : LamassuDatabaseMode.EncodedSocketHost, readiness.RecommendedMode);
        if (output is not null) Assert.Equal([$"packages/typesafe-db/{output}/db.js"], readiness.TypesafeDbFiles);
    }

    [Fact]
    public void V12WithOnlyTheTypeScriptSourcePatchedSaysItWasNotRebuilt()
    {
        var tree = LamassuPackageTree.V12(PackageDirectory("v12"), constantsPatch: true, typesafeDbPatch: false, typesafeSourcePatch: true)
            .WithPg("node_modules", "8.16.3", "2.9.1");

        var readiness = Read(tree);

        Assert.False(readiness.SupportsDatabaseUrl);
        Assert.Contains(readiness.Reasons, r => r.Contains("packages/typesafe-db/dist/db.js") && r.Contains("not rebuilt"));
    }

    [Fact]
    public void EveryCopyOfPgMustLoadANewPgConnectionString()
    {
        var tree = LamassuPackageTree.V12(PackageDirectory("v12"), constantsPatch: false, typesafeDbPatch: false)
            .WithPg("node_modules", "8.16.3", "2.9.1")
            .WithPg("packages/typesafe-db/node_modules", "8.10.0", "2.5.0");

        var readiness = Read(tree);

        Assert.Equal(2, readiness.PgConnectionStrings.Count);
        Assert.False(readiness.SupportsEncodedSocketHost);
        Assert.Equal(LamassuDatabaseMode.PasswordTcp, readiness.RecommendedMode);
        var old = Assert.Single(readiness.PgConnectionStrings, u => !u.DecodesEncodedSocketHost);
        Assert.Equal("packages/typesafe-db/node_modules/pg", old.PgPath);
    }

    [Fact]
    public void WorkspaceSymlinksDoNotCountAnInstallTwice()
    {
        var tree = LamassuPackageTree.V12(Path.Combine(_root, "v12"), constantsPatch: false, typesafeDbPatch: false)
            .WithPg("node_modules", "8.16.3", "2.9.1")
            .WithPg("packages/typesafe-db/node_modules", "8.11.0", "2.6.0");
        File.CreateSymbolicLink(Path.Combine(tree.Root, "node_modules", "typesafe-db"), Path.Combine(tree.Root, "packages", "typesafe-db"));

        var readiness = Read(tree);

        Assert.Equal(["node_modules/pg", "packages/typesafe-db/node_modules/pg"], readiness.PgConnectionStrings.Select(u => u.PgPath));
        Assert.True(readiness.SupportsEncodedSocketHost);
    }

    [Fact]
    public void APgWithItsOwnNestedOldCopyUsesItAsNodeDoes()
    {
        var tree = LamassuPackageTree.V10(PackageDirectory("v10"), databaseUrlPatch: false);
        tree.WritePackage("node_modules/pg-connection-string", "pg-connection-string", "2.6.0");
        tree.WithPg("node_modules/pg-promise/node_modules", "8.7.3", "2.5.0", nested: true);
        tree.WithPg("node_modules", "8.11.0", pgConnectionStringVersion: null);

        var readiness = Read(tree);

        var nested = Assert.Single(readiness.PgConnectionStrings, u => u.PgPath.Contains("pg-promise"));
        Assert.Equal("2.5.0", nested.Version);
        Assert.Equal(LamassuPackageTree.NodeResolves(Path.Combine(tree.Root, nested.PgPath)), Path.Combine(tree.Root, nested.Path!));
        var hoisted = Assert.Single(readiness.PgConnectionStrings, u => u.PgPath == "node_modules/pg");
        Assert.Equal("2.6.0", hoisted.Version);
        Assert.Equal(LamassuPackageTree.NodeResolves(Path.Combine(tree.Root, "node_modules/pg")), Path.Combine(tree.Root, hoisted.Path!));
        Assert.False(readiness.SupportsEncodedSocketHost);
    }

    [Fact]
    public void APackageWithoutPgSupportsNoEncodedHostAndSaysWhy()
    {
        var readiness = Read(LamassuPackageTree.V10(PackageDirectory("v10"), databaseUrlPatch: false));

        Assert.Empty(readiness.PgConnectionStrings);
        Assert.False(readiness.SupportsEncodedSocketHost);
        Assert.Contains(readiness.Reasons, r => r.Contains("No node-postgres"));
    }

    [Fact]
    public void NotALamassuPackageOrMissingDirectoryAreErrors()
    {
        Directory.CreateDirectory(PackageDirectory("empty"));

        var unknown = Assert.Throws<LamassuOpsException>(() => PeerAuthReadinessReader.Read(PackageDirectory("empty"), new RecordingHost()));
        var missing = Assert.Throws<LamassuOpsException>(() => PeerAuthReadinessReader.Read(PackageDirectory("nowhere"), new RecordingHost()));

        Assert.Equal("LamassuPackageLayoutUnknown", unknown.ErrorId);
        Assert.Equal("LamassuPackageNotFound", missing.ErrorId);
    }

    [Fact]
    public void RealNodeModulesThroughASymlinkResolveTheInstalledVersions()
    {
        var modern = LamassuPackageTree.V10(PackageDirectory("modern"), databaseUrlPatch: false)
            .WithRealNodePostgres(Path.Combine(TestPaths.NodeModulesNew, "node_modules"));
        var old = LamassuPackageTree.V10(PackageDirectory("old"), databaseUrlPatch: false)
            .WithRealNodePostgres(Path.Combine(TestPaths.NodeModulesOld, "node_modules"));

        Assert.Equal(("8.16.3", "2.9.1", LamassuDatabaseMode.EncodedSocketHost),
            (Read(modern).PgConnectionStrings.Single().PgVersion, Read(modern).PgConnectionStrings.Single().Version, Read(modern).RecommendedMode));
        Assert.Equal(("8.7.3", "2.5.0", LamassuDatabaseMode.PasswordTcp),
            (Read(old).PgConnectionStrings.Single().PgVersion, Read(old).PgConnectionStrings.Single().Version, Read(old).RecommendedMode));
    }

    [Fact]
    public void CliJsonOutput()
    {
        var tree = LamassuPackageTree.V12(PackageDirectory("v12"), constantsPatch: true, typesafeDbPatch: true).WithPg("node_modules", "8.16.3", "2.9.1");

        var result = CliProcess.Run("Get-LamassuPeerAuthReadiness", tree.Root, "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var readiness = Assert.Single(result.JsonLines);
        Assert.Equal("V12Packages", readiness.GetProperty("Layout").GetString());
        Assert.Equal("DatabaseUrl", readiness.GetProperty("RecommendedMode").GetString());
        Assert.True(readiness.GetProperty("SupportsEncodedSocketHost").GetBoolean());
        Assert.Equal("2.9.1", readiness.GetProperty("PgConnectionStrings")[0].GetProperty("Version").GetString());
    }
}
