using System.Diagnostics;
using LamassuOps.Core;
using LamassuOps.Core.Bunker;
using LamassuOps.Core.Fleet;

/// <summary>
/// `LamassuOps.Bench fan-out <instances> <database> <work dir> <runs>`: copies the database once per instance, then times
/// Test-BunkerDatabase's check over all of them three ways, alternating, and prints the medians: the checks alone in a
/// plain loop (the baseline), InstanceFanOut with -ThrottleLimit 1 and with 2. The fan-out's overhead per instance is
/// (throttle 1 - baseline) / instances; the second core's gain is throttle 1 / throttle 2.
/// </summary>
internal static class FanOutBench
{
    public static int Run(int count, string database, string directory, int runs)
    {
        Directory.CreateDirectory(directory);
        var instances = Enumerable.Range(0, count).Select(i =>
        {
            var path = Path.Combine(directory, $"atm-{i}.db");
            File.Copy(database, path, overwrite: true);
            return new LamassuOpsInstance { Name = $"atm-{i}", BunkerDatabase = path };
        }).ToList();
        var host = new QuietHost();
        IEnumerable<object> Check(LamassuOpsInstance instance, IFanOutHost workHost) =>
            [BunkerDatabaseTest.Run(new BunkerDatabaseTestOptions { Path = instance.BunkerDatabase! }, workHost)];
        double Time(Func<int> run)
        {
            var watch = Stopwatch.StartNew();
            var results = run();
            watch.Stop();
            if (results != count || host.Errors > 0) throw new InvalidOperationException($"{results} results and {host.Errors} errors for {count} instances");
            return watch.Elapsed.TotalSeconds;
        }
        int Loop() => instances.Sum(i => Check(i, host).Count());
        int FanOut(int throttle) => InstanceFanOut.Run(instances, throttle, "Test-BunkerDatabase", Check, host).Count();

        Time(Loop); // warm-up: JIT and the page cache
        var (loop, one, two) = (new List<double>(), new List<double>(), new List<double>());
        for (var run = 0; run < runs; run++)
        {
            loop.Add(Time(Loop));
            one.Add(Time(() => FanOut(1)));
            two.Add(Time(() => FanOut(2)));
        }
        var (l, o, t) = (Median(loop), Median(one), Median(two));
        Console.WriteLine($"| {count} | {l:F2} s | {o:F2} s | {t:F2} s | {o / t:F2}x | {(o - l) * 1000 / count:F2} ms |");
        foreach (var file in instances) File.Delete(file.BunkerDatabase!);
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private sealed class QuietHost : IFanOutHost
    {
        public int Errors;

        public CancellationToken CancellationToken => CancellationToken.None;

        public bool ShouldProcess(string target, string action) => false;

        public void WriteVerbose(string message)
        {
        }

        public void WriteWarning(string message)
        {
        }

        public void WriteProgress(OperationProgress progress)
        {
        }

        public void WriteError(LamassuOpsException error) => Errors++;
    }
}
