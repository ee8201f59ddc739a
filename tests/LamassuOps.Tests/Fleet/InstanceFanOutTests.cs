using LamassuOps.Core;
using LamassuOps.Core.Bunker;
using LamassuOps.Core.Fleet;
using LamassuOps.Tests.Fixtures.Bunker;

namespace LamassuOps.Tests.Fleet;

/// <summary>
/// The fan-out engine over real databases: parallel runs give what serial runs give, a broken instance is one error
/// and the rest go on, every host call happens on the caller's thread, progress has a parent, and stopping leaves
/// every database as it was with no work still running.
/// </summary>
public sealed class InstanceFanOutTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    /// <summary>The strips' backup directories, apart from the databases' so that theirs stays as it was.</summary>
    private readonly ScratchDirectory _backups = new();

    public void Dispose()
    {
        _dir.Dispose();
        _backups.Dispose();
    }

    /// <summary>Local instances atm-0..atm-{count-1} with sample-shaped databases; the one at <paramref name="broken"/> has no database.</summary>
    private List<LamassuOpsInstance> Instances(int count, int broken = -1) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var path = _dir.File($"atm-{i}.db");
            if (i != broken) PairedBunker.Create(path);
            return new LamassuOpsInstance { Name = $"atm-{i}", BunkerDatabase = path };
        }).ToList();

    private static IEnumerable<object> TestDatabase(LamassuOpsInstance instance, IFanOutHost host) =>
        [BunkerDatabaseTest.Run(new BunkerDatabaseTestOptions { Path = instance.BunkerDatabase! }, host)];

    private static string Summary(object result) => result is BunkerDatabaseTestResult r
        ? $"{r.Path} {r.Status} {r.SchemaVariant} {r.AppliedMigrationCount} {string.Join(",", r.Checks.Select(c => $"{c.Name}={c.Status}"))}"
        : throw new InvalidOperationException($"unexpected {result}");

    [Fact]
    public void ParallelRunsGiveTheSerialResultsAndABrokenInstanceIsOneErrorNamingIt()
    {
        var instances = Instances(6, broken: 3);
        var snapshots = instances.Where(i => File.Exists(i.BunkerDatabase)).Select(i => FileSnapshot.Take(i.BunkerDatabase!)).ToList();

        var serialHost = new ThreadCheckingHost();
        var serial = InstanceFanOut.Run(instances, 1, "Test-BunkerDatabase", TestDatabase, serialHost).Select(Summary).ToList();
        var parallelHost = new ThreadCheckingHost();
        var parallel = InstanceFanOut.Run(instances, 2, "Test-BunkerDatabase", TestDatabase, parallelHost).Select(Summary).ToList();

        Assert.Equal(5, serial.Count);
        Assert.Equal(serial.Order(), parallel.Order());
        foreach (var host in new[] { serialHost, parallelHost })
        {
            var error = Assert.Single(host.Errors);
            Assert.Equal("atm-3", error.Target);
            Assert.Equal("BunkerDatabaseNotFound", error.ErrorId);
            Assert.StartsWith("atm-3: ", error.Message);
            Assert.NotNull(error.RecommendedAction);
            Assert.Empty(host.WrongThreadCalls);
        }
        snapshots.ForEach(s => s.AssertUnchanged());
    }

    [Fact]
    public void NoMoreThanTheThrottleLimitRunAtOnceAndTwoDoRun()
    {
        var instances = Enumerable.Range(0, 8).Select(i => new LamassuOpsInstance { Name = $"atm-{i}" }).ToList();
        var running = 0;
        var most = 0;
        using var twoRunning = new Barrier(2);
        IEnumerable<object> Work(LamassuOpsInstance instance, IFanOutHost host)
        {
            var now = Interlocked.Increment(ref running);
            lock (instances) most = Math.Max(most, now);
            if (instance.Name is "atm-0" or "atm-1") Assert.True(twoRunning.SignalAndWait(TimeSpan.FromSeconds(30)), "the second worker never started");
            Thread.Sleep(20);
            Interlocked.Decrement(ref running);
            return [instance.Name];
        }

        var names = InstanceFanOut.Run(instances, 2, "Count", Work, new ThreadCheckingHost()).Cast<string>().ToList();

        Assert.Equal(instances.Select(i => i.Name).Order(), names.Order());
        Assert.Equal(2, most);
    }

    [Fact]
    public void ProgressIsOneParentRecordAndOneRecordPerInstanceUnderIt()
    {
        var instances = Instances(3);
        var host = new ThreadCheckingHost();

        _ = InstanceFanOut.Run(instances, 2, "Test-BunkerDatabase", TestDatabase, host).ToList();

        var parent = InstanceFanOut.ParentActivity("Test-BunkerDatabase", 3);
        Assert.Equal("Test-BunkerDatabase on 3 instances", parent);
        var parentRecords = host.Progress.Where(p => p.Activity == parent).ToList();
        Assert.Equal((0, false), (parentRecords[0].PercentComplete, parentRecords[0].Completed));
        Assert.Equal((100, true), (parentRecords[^1].PercentComplete, parentRecords[^1].Completed));
        Assert.Equal([33, 66, 100], parentRecords.Skip(1).SkipLast(1).Select(p => p.PercentComplete));
        foreach (var instance in instances)
        {
            var records = host.Progress.Where(p => p.Activity == instance.Name).ToList();
            Assert.Equal(["Running", "Done"], records.Select(r => r.Status));
            Assert.All(records, r => Assert.Equal(parent, r.ParentActivity));
            Assert.True(records[^1].Completed);
        }
        Assert.Empty(host.WrongThreadCalls);
    }

    [Fact]
    public void ShouldProcessIsAskedOnTheCallersThreadAndNoMeansTheStripChangesNothing()
    {
        var instances = Instances(4);
        var snapshots = instances.Select(i => FileSnapshot.Take(i.BunkerDatabase!)).ToList();
        var host = new ThreadCheckingHost(allowChanges: false);

        var removals = InstanceFanOut.Run(instances, 2, "Remove-StaleSigningCondition", Strip, host).ToList();

        Assert.Empty(removals);
        Assert.Equal(instances.Select(i => i.BunkerDatabase).Order(), host.ShouldProcessTargets.Order());
        Assert.Empty(host.WrongThreadCalls);
        snapshots.ForEach(s => s.AssertUnchanged());
    }

    private IEnumerable<object> Strip(LamassuOpsInstance instance, IFanOutHost host) =>
        new StaleSigningConditionStrip().Run(new RemoveStaleSigningConditionOptions
        {
            Path = instance.BunkerDatabase!, BackupDirectory = Directory.CreateDirectory(_backups.File(instance.Name)).FullName,
        }, host);

    [Fact]
    public void StoppingMidFanOutEndsPromptlyWithNoWorkLeftRunningAndEveryDatabaseUnchanged()
    {
        var instances = Instances(12);
        var snapshots = instances.Select(i => FileSnapshot.Take(i.BunkerDatabase!)).ToList();
        using var stop = new CancellationTokenSource();
        var host = new ThreadCheckingHost(allowChanges: false, stop.Token, asked: count => { if (count == 2) stop.Cancel(); });
        var running = 0;
        IEnumerable<object> Work(LamassuOpsInstance instance, IFanOutHost workHost)
        {
            Interlocked.Increment(ref running);
            try
            {
                return Strip(instance, workHost).ToList();
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }

        Assert.ThrowsAny<OperationCanceledException>(() => InstanceFanOut.Run(instances, 2, "Remove-StaleSigningCondition", Work, host).ToList());

        Assert.Equal(0, Volatile.Read(ref running));
        Assert.InRange(host.ShouldProcessTargets.Count, 2, 11);
        snapshots.ForEach(s => s.AssertUnchanged());
        Assert.All(instances, i => Assert.False(Directory.Exists(_backups.File(i.Name)) &&
                                               Directory.EnumerateFileSystemEntries(_backups.File(i.Name)).Any()));
    }

    [Fact]
    public void AbandoningTheStreamStopsTheWorkers()
    {
        var instances = Enumerable.Range(0, 50).Select(i => new LamassuOpsInstance { Name = $"atm-{i}" }).ToList();
        var started = 0;
        IEnumerable<object> Work(LamassuOpsInstance instance, IFanOutHost host)
        {
            Interlocked.Increment(ref started);
            Thread.Sleep(10);
            return [instance.Name];
        }

        var first = InstanceFanOut.Run(instances, 2, "Count", Work, new ThreadCheckingHost()).First();

        Assert.StartsWith("atm-", (string)first);
        var afterwards = Volatile.Read(ref started);
        Thread.Sleep(100);
        Assert.Equal(afterwards, Volatile.Read(ref started));
        Assert.True(afterwards < 50, $"{afterwards} instances started after the caller stopped reading");
    }

    /// <summary>Records what the fan-out passed on, and every call that did not come on the thread that created it.</summary>
    /// <param name="asked">Told how many ShouldProcess calls there were so far, after each.</param>
    private sealed class ThreadCheckingHost(bool allowChanges = true, CancellationToken cancellationToken = default, Action<int>? asked = null)
        : IFanOutHost
    {
        private readonly int _thread = Environment.CurrentManagedThreadId;

        public List<string> WrongThreadCalls { get; } = [];

        public List<LamassuOpsException> Errors { get; } = [];

        public List<OperationProgress> Progress { get; } = [];

        public List<string> ShouldProcessTargets { get; } = [];

        public CancellationToken CancellationToken => cancellationToken;

        private void Check(string call)
        {
            if (Environment.CurrentManagedThreadId != _thread) WrongThreadCalls.Add(call);
        }

        public bool ShouldProcess(string target, string action)
        {
            Check(nameof(ShouldProcess));
            ShouldProcessTargets.Add(target);
            asked?.Invoke(ShouldProcessTargets.Count);
            return allowChanges;
        }

        public void WriteVerbose(string message) => Check(nameof(WriteVerbose));

        public void WriteWarning(string message) => Check(nameof(WriteWarning));

        public void WriteProgress(OperationProgress progress)
        {
            Check(nameof(WriteProgress));
            Progress.Add(progress);
        }

        public void WriteError(LamassuOpsException error)
        {
            Check(nameof(WriteError));
            Errors.Add(error);
        }
    }
}
