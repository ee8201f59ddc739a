using LamassuOps.Core;
using LamassuOps.Core.Lamassu;
using LamassuOps.Core.Postgres;
using LamassuOps.Tests.Lamassu;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Postgres;

/// <summary>
/// Seeded, bounded fuzzing of the URL parser and the wrapper writer (run in CI with the rest of xunit): thousands of
/// URLs assembled from hostile pieces (unencoded '@', ':', '%', control characters, lone surrogates, ports out of
/// range, odd query parameters) and wrapper options with random ports and values. Each either succeeds or fails with
/// a LamassuOpsException, never another exception, and the password never appears in any output or message.
/// </summary>
public sealed class PostgresUrlFuzzTests : IDisposable
{
    private const int UrlRounds = 4000;
    private const int WrapperRounds = 400;

    /// <summary>In every password; nothing a masked conversion prints may contain it.</summary>
    private const string SecretMarker = "Zq7xSecret";

    private static readonly IReadOnlyDictionary<string, string?> NoPgVariables = new Dictionary<string, string?>();

    private static readonly string[] Hostile = ["@", ":", "%", "%4", "%40", "%zz", "%00", "\n", "\t", "\u0001", "\ud800", "é", " ", "[", "]", "=", "&", "+", "'", "\"", ""];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "lamassuops-fuzz-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void NoUrlCrashesTheParserOrShowsItsPassword()
    {
        var random = new Random(20261201);
        var converted = 0;
        for (var round = 0; round < UrlRounds; round++)
        {
            var password = SecretMarker + Piece(random) + Piece(random);
            var url = Url(random, password);
            var host = new RecordingHost();
            string shown;
            try
            {
                var info = PostgresUrl.Convert(new PostgresUrlOptions { Url = url, Environment = NoPgVariables }, host);
                shown = string.Join("\n", info.Url, info.Password, info.Username, info.Host, info.Database, info.NpgsqlConnectionString,
                    string.Join(",", info.Parameters.Select(p => p.Name + "=" + p.Value)));
                converted++;
            }
            catch (LamassuOpsException error)
            {
                shown = $"{error.ErrorId} {error.Message} {error.RecommendedAction} {error.Target}";
            }
            shown += host.AllMessages + PostgresUrl.MaskUrl(url);
            Assert.False(shown.Contains(SecretMarker, StringComparison.Ordinal), $"round {round}: the password of {Printable(url)} shows in: {Printable(shown)}");
        }
        // Both paths are exercised: many URLs convert, many are refused.
        Assert.InRange(converted, UrlRounds / 10, UrlRounds * 9 / 10);
    }

    [Fact]
    public void NoWrapperOptionCrashesTheWriterOrWritesAnOutOfRangePort()
    {
        var random = new Random(1201);
        var package = LamassuPackageTree.V10(Path.Combine(_root, "pkg"), databaseUrlPatch: true).WithPg("node_modules", "8.16.3", "2.9.1");
        for (var round = 0; round < WrapperRounds; round++)
        {
            var port = random.Next(4) switch { 0 => random.Next(-2, 2), 1 => random.Next(65530, 65540), 2 => random.Next(), _ => random.Next(1, 65536) };
            var options = new EnvWrapperOptions
            {
                Path = Path.Combine(_root, $"env-{round}"), PackagePath = package.Root, DatabaseUser = "lamassu" + Piece(random),
                DatabaseName = "lamassu" + Piece(random), Hostname = Piece(random) + "h" + Piece(random), LogLevel = Piece(random) + "info",
                Port = port, NodeDirectory = "/usr/bin", Mode = (LamassuDatabaseMode)random.Next(1, 3),
            };
            try
            {
                var wrapper = EnvWrapperWriter.Write(options, new RecordingHost(allowChanges: false));
                Assert.InRange(port, 1, 65535);
                Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), wrapper.Text);
            }
            catch (LamassuOpsException)
            {
                // Refused with an id: what the test is after (never another exception, never an out-of-range port written).
            }
            Assert.False(File.Exists(options.Path));
        }
    }

    private static string Url(Random random, string password)
    {
        var scheme = random.Next(4) switch { 0 => "postgres://", 1 => "postgresql://", 2 => "POSTGRESQL://", _ => "socket:" };
        var user = "u" + Piece(random);
        var port = random.Next(5) switch { 0 => "", 1 => ":" + random.Next(-5, 70000), 2 => ":" + Piece(random), 3 => ":5432", _ => ":99999999999" };
        var query = random.Next(3) switch { 0 => "", 1 => "?sslmode=" + Piece(random), _ => $"?host=/run/{Piece(random)}&password={password}&x{Piece(random)}=1" };
        return scheme == "socket:"
            ? $"socket:/run/postgresql{Piece(random)}?db=lamassu&user={user}&password={password}"
            : $"{scheme}{user}:{password}@{Piece(random)}localhost{port}/lamassu{Piece(random)}{query}";
    }

    private static string Piece(Random random) => Hostile[random.Next(Hostile.Length)];

    private static string Printable(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
