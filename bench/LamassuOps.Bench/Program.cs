using LamassuOps.Core.Bunker;
using LamassuOps.Tests.Fixtures.Bunker;
using Microsoft.Data.Sqlite;

// bench/run's helper.
// `LamassuOps.Bench writer-waits <db> <delete|wal> <command> [args...]`: runs the command while a separate process
// writes a Request row every 20 ms as the daemon does, and prints how long its commits waited.
if (args is ["writer-waits", var database, var journal, var command, .. var commandArgs])
    return WriterWaits.Run(database, journal, command, commandArgs);

// `LamassuOps.Bench fan-out <instances> <database> <work dir> <runs>`: the fan-out's figures (FanOutBench).
if (args is ["fan-out", var instanceCount, var fanOutDatabase, var fanOutDirectory, var fanOutRuns])
    return FanOutBench.Run(int.Parse(instanceCount), fanOutDatabase, fanOutDirectory, int.Parse(fanOutRuns));

// `LamassuOps.Bench <SigningCondition rows> <path>`: the database generator. Writes a live-grant
// nsecbunker.db shaped as the daemon leaves it after years of service: one KeyUser per LNbits account, redeemed on the
// copying schema (connect + one copy per policy rule), then upgraded to live grants (the copies' createdAt becomes
// TEXT from the column DEFAULT) and used since (manual overrides with INTEGER createdAt). Tokens in every state,
// a second token on some KeyUsers, unredeemed and dangling tokens, orphans, denials, rows with their own lifecycle.
// Deterministic: the same arguments give the same file.
if (args.Length != 2 || !int.TryParse(args[0], out var target) || target < 100)
{
    Console.Error.WriteLine("usage: LamassuOps.Bench <SigningCondition rows, at least 100> <path of the database to write>");
    return 2;
}
var path = Path.GetFullPath(args[1]);
File.Delete(path);
var db = BunkerFixture.Create(path, BunkerFixtureSchema.ForkTokenRevokedAt);
const int policies = 20;
for (var p = 0; p < policies; p++)
    db.CreatePolicy($"lnbits-{p}", p % 4 == 0 ? db.Now.AddDays(-30) : null,
        new FixtureRule("sign_event", "1"), new FixtureRule("nip04_encrypt"),
        new FixtureRule("nip04_decrypt"));

// About 5.1 rows per KeyUser: 4 copies, 1 manual override, 4 more copies on every 50th (a second token).
var keyUsers = (int)(target / 5.08);
var now = BunkerDate.ToMilliseconds(db.Now);
const long day = 86_400_000;
var common = new Dictionary<string, object> { ["$k"] = keyUsers, ["$now"] = now, ["$day"] = day, ["$policies"] = policies, ["$admin"] = BunkerFixture.AdminPubkey };
// The rows no daemon step writes one by one, in bulk; foreign keys off (orphans and dangling tokens are rows whose KeyUser was deleted with them off).
void Sql(string sql)
{
    using var connection = new SqliteConnection($"Data Source={path};Pooling=False;Foreign Keys=False");
    connection.Open();
    using var command = connection.CreateCommand();
    command.CommandText = sql;
    foreach (var (name, value) in common) if (sql.Contains(name)) command.Parameters.AddWithValue(name, value);
    command.ExecuteNonQuery();
}
Sql("""
    WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < $k)
    INSERT INTO KeyUser (id, keyName, userPubkey, createdAt, updatedAt, lastUsedAt, description, revokedAt)
    SELECT k, 'bunker', printf('%064x', k * 2654435761), $now - (($k - k) % 900) * $day, $now - (($k - k) % 900) * $day,
           CASE WHEN k % 3 = 0 THEN NULL ELSE $now - (k % 60) * $day END, 'LNbits account ' || k,
           CASE WHEN k % 41 = 0 THEN $now - 5 * $day END
    FROM s
    """);
// One token per KeyUser (every 97th has none: web approvals only), its state by k % 10; a second on every 50th.
Sql("""
    WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < $k),
    t(id, k, seq) AS (SELECT k, k, 0 FROM s WHERE k % 97 <> 0 UNION ALL SELECT $k + k, k, 1 FROM s WHERE k % 50 = 0)
    INSERT INTO Token (id, keyName, token, clientName, createdBy, createdAt, updatedAt, deletedAt, expiresAt, redeemedAt, keyUserId, policyId, revokedAt)
    SELECT id, 'bunker', printf('%032x%032x', id * 40503, id), 'LNbits account ' || k, $admin,
           $now - (($k - k) % 900 + 1) * $day + seq, $now - (($k - k) % 900) * $day + seq,
           CASE WHEN k % 10 = 8 THEN $now - 3 * $day END,
           CASE WHEN k % 10 = 9 THEN NULL WHEN k % 10 = 6 THEN $now - (k % 30 + 1) * $day ELSE $now + (k % 365 + 1) * $day END,
           $now - (($k - k) % 900) * $day + seq, k, 1 + (k + seq) % $policies,
           CASE WHEN k % 10 = 7 THEN $now - 2 * $day END
    FROM t ORDER BY id
    """);
// What redemption wrote, in the order it wrote it: (connect, NULL, 1) and one copy per rule, token by token.
Sql("""
    INSERT INTO SigningCondition (method, kind, allowed, keyUserId)
    SELECT method, kind, 1, keyUserId FROM (
        SELECT t.id AS token, 0 AS rule, 'connect' AS method, NULL AS kind, t.keyUserId FROM Token AS t
        UNION ALL SELECT t.id, r.id, r.method, r.kind, t.keyUserId FROM Token AS t JOIN PolicyRule AS r ON r.policyId = t.policyId)
    ORDER BY token, rule
    """);
db.UpgradeTo(BunkerFixtureSchema.LiveGrant);
Sql("UPDATE PolicyRule SET maxUsageCount = 100, windowSeconds = 3600 WHERE method = 'nip04_encrypt' AND policyId % 3 = 0");
// Since live grants: unredeemed and dangling tokens, and one manual override per KeyUser, by k % 5.
Sql("""
    WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < $k)
    INSERT INTO Token (keyName, token, clientName, createdBy, createdAt, updatedAt, expiresAt, redeemedAt, keyUserId, policyId)
    SELECT 'bunker', printf('%032x%032x', k * 40503 + 7, k + 1000000000), 'pending ' || k, $admin, $now - k * 1000, $now - k * 1000,
           CASE WHEN k % 40 = 0 THEN NULL ELSE $now + 30 * $day END, CASE WHEN k % 40 = 0 THEN $now - $day END,
           CASE WHEN k % 80 = 0 THEN $k * 10 + k END, CASE WHEN k % 7 = 0 THEN NULL ELSE 1 + k % $policies END
    FROM s WHERE k % 20 = 0
    """);
Sql("""
    WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < $k)
    INSERT INTO SigningCondition (method, kind, allowed, keyUserId, createdAt, expiresAt, revokedAt)
    SELECT CASE k % 5 WHEN 0 THEN 'sign_event' WHEN 1 THEN 'sign_event' WHEN 2 THEN 'nip44_encrypt' WHEN 3 THEN 'sign_event' ELSE 'connect' END,
           CASE k % 5 WHEN 0 THEN 'all' WHEN 1 THEN '4' WHEN 3 THEN '1' END,
           CASE WHEN k % 5 = 1 THEN 0 ELSE 1 END,
           CASE WHEN k % 5 = 4 THEN $k * 10 + k ELSE k END,
           $now - (k % 200) * $day,
           CASE WHEN k % 5 = 2 THEN $now + (k % 100 - 20) * $day END,
           CASE WHEN k % 10 = 7 THEN $now - $day END
    FROM s
    """);
Console.WriteLine($"{path}: {db.Scalar("SELECT count(*) FROM SigningCondition")} SigningCondition rows, {keyUsers} KeyUsers, " +
                  $"{db.Scalar("SELECT count(*) FROM Token")} tokens");
return 0;

internal static class WriterWaits
{
    public static int Run(string database, string journal, string command, string[] commandArgs)
    {
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var set = connection.CreateCommand();
            set.CommandText = $"PRAGMA journal_mode = {(journal == "wal" ? "WAL" : "DELETE")}";
            set.ExecuteNonQuery();
        }
        using var writer = RequestWriterProcess.Start(database, TimeSpan.FromMilliseconds(20));
        writer.WaitForCommitted(5);
        var start = new System.Diagnostics.ProcessStartInfo(command) { RedirectStandardOutput = true };
        foreach (var argument in commandArgs) start.ArgumentList.Add(argument);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var process = System.Diagnostics.Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var elapsed = clock.Elapsed;
        writer.Stop();
        var waits = writer.CommitWaits.Order().ToList();
        var errors = writer.Errors;
        Console.WriteLine($"journal {journal}: command exit {process.ExitCode} in {elapsed.TotalSeconds:F2} s; writer committed {waits.Count} of {writer.Sent}, " +
                          $"longest commit wait {waits.LastOrDefault().TotalSeconds:F3} s, p99 {waits.ElementAtOrDefault((int)(waits.Count * 0.99)).TotalSeconds:F3} s, " +
                          $"{waits.Count(w => w > TimeSpan.FromSeconds(2))} over 2 s, {errors.Count} failed" + (errors.Count > 0 ? $" ({errors.First()})" : ""));
        return process.ExitCode;
    }
}
