using LamassuOps.Core;
using LamassuOps.Core.Bunker;
using LamassuOps.Tests.Fixtures.Bunker;

namespace LamassuOps.Tests.Bunker;

/// <summary>
/// lamassuops puts SQLite in multi-thread mode, without memory statistics, before its first connection. In a process
/// where SQLite has already started (this test run, which has opened a database first) the call must change nothing
/// and say so.
/// </summary>
public sealed class SqliteSetupTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void OnceSqliteHasStartedTheModeStaysAndConnectionsKeepWorking()
    {
        var path = _dir.File("nsecbunker.db");
        BunkerFixture.Create(path);
        using var before = BunkerDatabase.OpenReadOnly(path);
        var conditions = before.Scalar("SELECT count(*) FROM SigningCondition");

        Assert.False(SqliteSetup.ForOwnProcess());

        Assert.Equal(conditions, before.Scalar("SELECT count(*) FROM SigningCondition"));
        using var after = BunkerDatabase.OpenReadOnly(path);
        Assert.Equal(conditions, after.Scalar("SELECT count(*) FROM SigningCondition"));
    }
}
