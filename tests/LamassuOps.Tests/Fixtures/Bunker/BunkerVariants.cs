using LamassuOps.Core.Bunker;

namespace LamassuOps.Tests.Fixtures.Bunker;

/// <summary>The schema and date-encoding combinations Bunker behaviour is tested on.</summary>
public static class BunkerVariants
{
    /// <summary>
    /// (fork, encoding): the upstream schema, and the live-grant fork reached by upgrading an upstream database (so
    /// copies predate it, as on a real instance); each with dates as INTEGER milliseconds and as TEXT.
    /// </summary>
    public static TheoryData<bool, BunkerDateEncoding> ForkAndEncoding => new()
    {
        { false, BunkerDateEncoding.Milliseconds },
        { false, BunkerDateEncoding.Text },
        { true, BunkerDateEncoding.Milliseconds },
        { true, BunkerDateEncoding.Text },
    };

    /// <summary>A new upstream database in <paramref name="directory"/> whose steps write dates in <paramref name="encoding"/>.</summary>
    public static BunkerFixture CreateUpstream(ScratchDirectory directory, BunkerDateEncoding encoding)
    {
        var db = BunkerFixture.Create(directory.File($"nsecbunker-{Guid.NewGuid():N}.db"), BunkerFixtureSchema.Upstream);
        db.DateEncoding = encoding;
        return db;
    }
}
