using System.Collections.Concurrent;
using System.Diagnostics;

namespace LamassuOps.Tests.Fixtures.Bunker;

/// <summary>
/// A separate process that writes to an nsecbunkerd database the way the daemon does while it serves NIP-46
/// requests: one autocommit INSERT into Request per request (uuid id, createdAt in Prisma's integer
/// milliseconds), on its own connection with its own busy timeout. It is the sqlite3 shell fed one statement at a
/// time; after each INSERT it reads the row back, so <see cref="Committed"/> holds exactly the rows it committed.
/// The shell's <c>.timer</c> times every statement, busy waits included: <see cref="CommitWaits"/> is how long each
/// committed INSERT took, which is what the daemon feels while another process holds the database.
/// </summary>
public sealed class RequestWriterProcess : IDisposable
{
    /// <summary>Prisma's SQLite connector waits 5 s on a locked database before failing a query.</summary>
    public const int BusyTimeoutMilliseconds = 5000;

    private const string CommittedPrefix = "committed:";
    private const string TimerPrefix = "Run Time: real ";
    private readonly Process _process;
    private readonly Thread _feeder;
    private readonly ConcurrentQueue<string> _committed = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentQueue<TimeSpan> _commitWaits = new();
    private TimeSpan _lastStatement;
    private readonly ManualResetEventSlim _stop = new();
    private readonly TimeSpan _pause;
    private int _sent;

    private RequestWriterProcess(string databasePath, TimeSpan pause)
    {
        _pause = pause;
        var start = new ProcessStartInfo("sqlite3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-batch");
        start.ArgumentList.Add(databasePath);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith(TimerPrefix, StringComparison.Ordinal) == true)
                _lastStatement = TimeSpan.FromSeconds(double.Parse(e.Data[TimerPrefix.Length..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
            if (e.Data?.StartsWith(CommittedPrefix, StringComparison.Ordinal) != true) return;
            // The timer line just before the read-back is the INSERT's.
            _committed.Enqueue(e.Data[CommittedPrefix.Length..]);
            _commitWaits.Enqueue(_lastStatement);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrEmpty(e.Data)) _errors.Enqueue(e.Data);
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _process.StandardInput.WriteLine($".timeout {BusyTimeoutMilliseconds}");
        _process.StandardInput.WriteLine(".timer on");
        _feeder = new Thread(Feed) { IsBackground = true, Name = "request writer feeder" };
        _feeder.Start();
    }

    /// <summary>Starts writing one Request row every <paramref name="pause"/> until <see cref="Stop"/>.</summary>
    public static RequestWriterProcess Start(string databasePath, TimeSpan pause) => new(databasePath, pause);

    public IReadOnlyCollection<string> Committed => _committed.ToArray();

    /// <summary>How long each committed INSERT took, busy waits included, in commit order.</summary>
    public IReadOnlyCollection<TimeSpan> CommitWaits => _commitWaits.ToArray();

    public IReadOnlyCollection<string> Errors => _errors.ToArray();

    public int Sent => Volatile.Read(ref _sent);

    /// <summary>Waits (bounded) until at least <paramref name="count"/> rows are committed.</summary>
    public void WaitForCommitted(int count)
    {
        var watch = Stopwatch.StartNew();
        while (_committed.Count < count && _errors.IsEmpty && watch.Elapsed < TimeSpan.FromMinutes(1)) Thread.Sleep(5);
    }

    /// <summary>Stops feeding, lets the process finish what it was sent and exit.</summary>
    public void Stop()
    {
        _stop.Set();
        _feeder.Join();
        _process.StandardInput.Close();
        if (!_process.WaitForExit(TimeSpan.FromMinutes(1))) _process.Kill();
        _process.WaitForExit();
    }

    private void Feed()
    {
        while (!_stop.IsSet)
        {
            var id = Guid.NewGuid().ToString();
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            _process.StandardInput.WriteLine(
                "INSERT INTO Request (id, keyName, createdAt, requestId, remotePubkey, method, params, allowed) " +
                $"VALUES ('{id}', 'writer-key', {now}, 'req-{id[..8]}', '{new string('c', 64)}', 'sign_event', '[\"{{}}\"]', NULL);");
            _process.StandardInput.WriteLine($"SELECT '{CommittedPrefix}' || id FROM Request WHERE id = '{id}';");
            _process.StandardInput.Flush();
            Interlocked.Increment(ref _sent);
            _stop.Wait(_pause);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited) Stop();
        _process.Dispose();
        _stop.Dispose();
    }
}
