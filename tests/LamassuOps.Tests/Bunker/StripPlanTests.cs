using LamassuOps.Core.Bunker;

namespace LamassuOps.Tests.Bunker;

/// <summary>
/// The strip's plan: ids added in any order come back ascending, each once, whether their 2^16-id block holds them as a
/// list or (past 4,096) as a bitmap, below zero and at the ends of SQLite's range.
/// </summary>
public sealed class StripPlanTests
{
    [Fact]
    public void IdsComeBackAscendingFromListedAndBitmapBlocks()
    {
        var random = new Random(8);
        // A dense block (becomes a bitmap), a block just under the list's limit, one just over it, and lone ids.
        var ids = Enumerable.Range(0, 60_000).Select(i => 65_536L * 3 + i)
            .Concat(Enumerable.Range(0, 4_096).Select(i => 65_536L * 7 + i * 16))
            .Concat(Enumerable.Range(0, 4_097).Select(i => 65_536L * 9 + i * 15))
            .Concat([long.MinValue, -65_537, -5, -1, 0, 1, 65_535, 65_536, 9_000_000, long.MaxValue - 1, long.MaxValue])
            .OrderBy(_ => random.Next()).ToList();
        var plan = new StripTransaction.PlannedIds();

        foreach (var id in ids) plan.Add(id);

        Assert.Equal(ids.Count, plan.Count);
        Assert.Equal(ids.Order(), plan.Ascending());
    }

    [Fact]
    public void AnEmptyPlanHasNoIds()
    {
        var plan = new StripTransaction.PlannedIds();

        Assert.Equal(0, plan.Count);
        Assert.Empty(plan.Ascending());
    }
}
