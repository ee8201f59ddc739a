using LamassuOps.Core.Bunker;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;

namespace LamassuOps.Tests.Bunker;

/// <summary>
/// Bad input to the maintenance commands, run as the built lamassuops with --force (so nothing but the input can stop
/// them; Backup-BunkerDatabase needs none): each gets its specific error id and a fix, and every file is left exactly as
/// it was, with no backup written.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class MaintenanceBadInputTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Commands => ["Backup-BunkerDatabase", "Remove-StaleSigningCondition", "Remove-BunkerRequest", "Remove-BunkerSigningLog"];

    [Theory]
    [MemberData(nameof(Commands))]
    public void BadDatabasesGetTheirErrorIdAndStayAsTheyWere(string command)
    {
        foreach (var (path, errorId) in BadBunkerDatabases.Create(_dir))
        {
            var before = FileSnapshot.Take(path);
            string[] force = command == "Backup-BunkerDatabase" ? [] : ["--force"];
            var result = CliProcess.Run([command, "--literal-path", path, .. force, "--json"], null);

            Assert.Equal(1, result.ExitCode);
            Assert.Equal("", result.Stdout);
            Assert.Contains($"lamassuops: {errorId}: ", result.Stderr);
            Assert.Contains("  fix: ", result.Stderr);
            before.AssertUnchanged();
        }
        Assert.Empty(Directory.EnumerateFiles(_dir.Path, "*.bak"));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void AReadOnlyDatabaseIsBackedUpButRefusedByTheCommandsThatWrite(string command)
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        File.SetUnixFileMode(bunker.Path, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        var before = FileSnapshot.Take(bunker.Path);

        var backsUp = command == "Backup-BunkerDatabase";
        string[] args = backsUp ? [command, bunker.Path, "--destination", _dir.File("copy.bak")] : [command, bunker.Path, "--force"];

        var result = CliProcess.Run(args, null);

        if (backsUp)
        {
            Assert.True(result.ExitCode == 0, result.Stderr);
            return;
        }
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"lamassuops: {BunkerErrors.DatabaseReadOnly}: ", result.Stderr);
        before.AssertUnchanged();
    }

    [Fact]
    public void RestoreRefusesBadBackupsAndLeavesTheDatabaseAsItWas()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var backups = BadBunkerDatabases.Create(_dir).ToList();
        var before = FileSnapshot.Take(bunker.Path);

        foreach (var (backup, errorId) in backups)
        {
            var result = CliProcess.Run(["Restore-BunkerDatabase", bunker.Path, backup, "--force"], null);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"lamassuops: {errorId}: ", result.Stderr);
        }
        before.AssertUnchanged();
    }
}
