using LamassuOps.Core;
using LamassuOps.Core.Bunker;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Bunker;

public sealed class RemoveBunkerRequestTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Ten leftover rows from a day ago in both date encodings, five from the last minute.</summary>
    private PairedBunker WithRequests()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var asOf = bunker.AsOf;
        bunker.Fixture.Bulk(bulk =>
        {
            bulk.Requests(10, i => new BulkRequest("lnbits", BunkerFixture.Pubkey("alice"), "sign_event", asOf.AddDays(-1),
                DateEncoding: i % 2 == 0 ? BunkerDateEncoding.Text : BunkerDateEncoding.Milliseconds));
            bulk.Requests(5, _ => new BulkRequest("lnbits", BunkerFixture.Pubkey("bob"), "sign_event", asOf.AddSeconds(-30)));
        });
        return bunker;
    }

    [Fact]
    public void OldRequestsGoInBothDateEncodingsAndYoungOnesStay()
    {
        var bunker = WithRequests();
        var pairing = SqliteShell.ContentHash(bunker.Path, "KeyUser");

        var removal = Assert.Single(RemoveBunkerRequestOperation.Run(new RemoveBunkerRequestOptions
        {
            Path = bunker.Path, OlderThan = TimeSpan.FromHours(1), AsOf = bunker.AsOf, BackupDirectory = _dir.Path,
        }, new RecordingHost()).ToList());

        Assert.Equal((15L, 10L, 5L), (removal.RequestsBefore, removal.Removed, removal.RequestsAfter));
        Assert.Equal("5", SqliteShell.Query(bunker.Path, $"SELECT count(*) FROM Request WHERE remotePubkey = '{BunkerFixture.Pubkey("bob")}'"));
        Assert.NotNull(removal.BackupPath);
        Assert.Equal("15", SqliteShell.Query(removal.BackupPath!, "SELECT count(*) FROM Request"));
        Assert.Equal(pairing, SqliteShell.ContentHash(bunker.Path, "KeyUser"));
    }

    [Fact]
    public void WhatIfChangesNothingAndWritesNoBackup()
    {
        var bunker = WithRequests();
        var snapshot = FileSnapshot.Take(bunker.Path);
        var host = new RecordingHost(allowChanges: false);

        Assert.Empty(RemoveBunkerRequestOperation.Run(new RemoveBunkerRequestOptions
        {
            Path = bunker.Path, OlderThan = TimeSpan.FromHours(1), AsOf = bunker.AsOf,
        }, host).ToList());

        Assert.Contains("Delete 10 Request rows", Assert.Single(host.ShouldProcessCalls).Action);
        snapshot.AssertUnchanged();
    }

    [Fact]
    public void AnAgeBelowOneMinuteIsRefusedBecauseTheDaemonMayStillBeAnswering()
    {
        var bunker = WithRequests();
        var snapshot = FileSnapshot.Take(bunker.Path);

        var error = Assert.Throws<LamassuOpsException>(() => RemoveBunkerRequestOperation.Run(new RemoveBunkerRequestOptions
        {
            Path = bunker.Path, OlderThan = TimeSpan.FromSeconds(10),
        }, new RecordingHost()).ToList());

        Assert.Equal(RemoveBunkerRequestOperation.AgeTooShort, error.ErrorId);
        snapshot.AssertUnchanged();
    }

    [Fact]
    public void CliRemovesWithForceAndNoBackupAndWritesJson()
    {
        var bunker = WithRequests();

        var result = CliProcess.Run(["Remove-BunkerRequest", bunker.Path, "--older-than", "1.00:00:00", "--force", "--no-backup", "--json"], null);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var removal = Assert.Single(result.JsonLines);
        Assert.Equal(bunker.Path, removal.GetProperty("Path").GetString());
        Assert.Equal(JsonValueKindNull, removal.GetProperty("BackupPath").ValueKind);
        Assert.Equal(15, removal.GetProperty("RequestsBefore").GetInt64());
        Assert.Equal(removal.GetProperty("RequestsBefore").GetInt64() - removal.GetProperty("Removed").GetInt64(),
            removal.GetProperty("RequestsAfter").GetInt64());
        Assert.Equal(["nsecbunker.db"], BackupBunkerDatabaseTests.Entries(_dir.Path));
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}
