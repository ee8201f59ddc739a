using System.Text.Json;
using LamassuOps.Core.Bunker;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;
using Microsoft.Data.Sqlite;

namespace LamassuOps.Tests.Bunker;

/// <summary>The three Bunker commands run as the built lamassuops process over real database files.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BunkerCliTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void GetBunkerPairingWritesPairingsWithTheCmdletsPropertyNamesAndMaskedTokens()
    {
        var path = LoadSample();
        var tokens = TokenValues(path);

        var result = CliProcess.Run("Get-BunkerPairing", path, "--include-dangling", "--include-unredeemed", "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var lines = result.JsonLines;
        Assert.All(lines, line => AssertPropertiesOf<BunkerPairing>(line));
        Assert.All(lines.SelectMany(line => line.GetProperty("Tokens").EnumerateArray()), AssertPropertiesOf<BunkerPairingToken>);
        Assert.Equal(Enum.GetNames<BunkerPairingState>().Order(), lines.Select(l => l.GetProperty("State").GetString()!).Distinct().Order());
        Assert.All(lines, line => Assert.Equal(path, line.GetProperty("Path").GetString()));
        Assert.All(tokens, token => Assert.DoesNotContain(token, result.Stdout + result.Stderr));
    }

    [Fact]
    public void GetBunkerPairingShowsTokensWithIncludeSecretAndFiltersByKeyName()
    {
        var path = LoadSample();

        var result = CliProcess.Run("Get-BunkerPairing", "--path", path, "--key-name", "frank*", "lnbits", "--include-secret", "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("frank@bunker.example", result.JsonLines.Select(l => l.GetProperty("KeyName").GetString()));
        var shown = result.JsonLines.Select(l => l.GetProperty("Token").GetString()).OfType<string>().ToList();
        var values = TokenValues(path);
        Assert.NotEmpty(shown);
        Assert.All(shown, token => Assert.Contains(token, values));
    }

    [Fact]
    public void GetBunkerPairingWarnsOnStderrAboutDanglingTokensItDoesNotList()
    {
        var result = CliProcess.Run("Get-BunkerPairing", LoadSample(), "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("WARNING: 1 redeemed token(s)", result.Stderr);
        Assert.DoesNotContain(result.JsonLines, l => l.GetProperty("State").GetString() == "Dangling");
    }

    [Fact]
    public void GetBunkerSigningConditionWritesClassifiedRowsWithTheCmdletsPropertyNames()
    {
        var path = LoadSample();

        var result = CliProcess.Run("Get-BunkerSigningCondition", path, "--classification", "PolicyCopy", "--as-of", "2026-06-25T00:00:00Z", "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.NotEmpty(result.JsonLines);
        Assert.All(result.JsonLines, line =>
        {
            AssertPropertiesOf<BunkerSigningCondition>(line);
            Assert.Equal("PolicyCopy", line.GetProperty("Classification").GetString());
            Assert.Contains(line.GetProperty("Verdict").GetString(), new[] { "Stale", "Redundant" });
            Assert.False(string.IsNullOrEmpty(line.GetProperty("Evidence").GetString()));
        });
    }

    [Fact]
    public void TestBunkerDatabaseWritesOneResultWithTheCmdletsPropertyNames()
    {
        var db = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.Upstream);
        var folder = FixtureMigrations.WriteDeploymentFolder(_dir.File("prisma", "migrations"), BunkerFixtureSchema.LiveGrant);

        var result = CliProcess.Run(["Test-BunkerDatabase", "nsecbunker.db", "--migrations-path", "prisma/migrations", "--json"], _dir.Path);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var line = Assert.Single(result.JsonLines);
        AssertPropertiesOf<BunkerDatabaseTestResult>(line);
        Assert.All(line.GetProperty("Checks").EnumerateArray(), AssertPropertiesOf<BunkerDatabaseCheck>);
        Assert.All(line.GetProperty("Migrations").EnumerateArray(), AssertPropertiesOf<BunkerMigration>);
        Assert.True(line.GetProperty("Passed").GetBoolean());
        Assert.Equal("Warn", line.GetProperty("Status").GetString());
        Assert.Equal(3, line.GetProperty("PendingMigrationCount").GetInt32());
        Assert.Equal(db.Path, line.GetProperty("Path").GetString());
    }

    [Theory]
    [InlineData("Get-BunkerPairing")]
    [InlineData("Get-BunkerSigningCondition")]
    [InlineData("Test-BunkerDatabase")]
    public void BadInputExitsWithOneAndTheErrorIdAndLeavesEveryFileAsItWas(string command)
    {
        foreach (var (path, errorId) in BadBunkerDatabases.Create(_dir))
        {
            var before = FileSnapshot.Take(path);

            var result = CliProcess.Run(command, "--literal-path", path, "--json");

            Assert.Equal(1, result.ExitCode);
            Assert.Equal("", result.Stdout);
            Assert.Contains($"lamassuops: {errorId}: ", result.Stderr);
            Assert.Contains("  fix: ", result.Stderr);
            before.AssertUnchanged();
        }
    }

    [Fact]
    public void OneBadDatabaseAmongSeveralIsReportedAndTheOthersAreStillRead()
    {
        var good = BunkerFixture.Create(_dir.File("good.db"));
        good.WebApprove("k", BunkerFixture.Pubkey("a"), "ping");

        var result = CliProcess.Run("Get-BunkerPairing", _dir.File("missing.db"), good.Path, "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(BunkerErrors.DatabaseNotFound, result.Stderr);
        Assert.Equal(good.Path, Assert.Single(result.JsonLines).GetProperty("Path").GetString());
    }

    [Fact]
    public void AnUnreadableFileIsAccessDeniedForAnotherUser()
    {
        var db = BunkerFixture.Create(_dir.File("nsecbunker.db"));
        File.SetUnixFileMode(db.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var before = FileSnapshot.Take(db.Path);

        var result = CliProcess.Run(["Test-BunkerDatabase", db.Path], workingDirectory: Path.GetTempPath(), runAsUser: "nobody");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(BunkerErrors.DatabaseAccessDenied, result.Stderr);
        before.AssertUnchanged();
    }

    [Fact]
    public void ADatabaseLockedByAnotherProcessIsLocked()
    {
        var db = BunkerFixture.Create(_dir.File("nsecbunker.db"));
        using var holder = new SqliteConnection($"Data Source={db.Path};Pooling=False");
        holder.Open();
        using (var begin = holder.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE";
            begin.ExecuteNonQuery();
        }

        var result = CliProcess.Run("Get-BunkerSigningCondition", db.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(BunkerErrors.DatabaseLocked, result.Stderr);
    }

    private static void AssertPropertiesOf<T>(JsonElement line) =>
        Assert.Equal(typeof(T).GetProperties().Select(p => p.Name), line.EnumerateObject().Select(p => p.Name));

    private string LoadSample() => BunkerSample.Load(_dir.File("sample.db"));

    private static List<string> TokenValues(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT token FROM Token";
        using var reader = command.ExecuteReader();
        var tokens = new List<string>();
        while (reader.Read()) tokens.Add(reader.GetString(0));
        return tokens;
    }
}
