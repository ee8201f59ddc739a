using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;

namespace LamassuOps.Tests.Bunker;

/// <summary>The shipped sample is exactly what the fixture builder makes, and loads into the same database with sqlite3.</summary>
public sealed class BunkerSampleTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string ShippedPath => RepositoryPaths.Combine(BunkerSample.RelativePath.Split('/'));

    [Fact]
    public void ShippedSampleIsWhatTheBuilderProduces()
    {
        var generated = BunkerSample.Build(_dir.File("built.db"));
        if (Environment.GetEnvironmentVariable("LAMASSUOPS_WRITE_SAMPLES") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(ShippedPath)!);
            File.WriteAllText(ShippedPath, generated);
        }

        Assert.True(File.Exists(ShippedPath), $"{BunkerSample.RelativePath} is missing. Write it with: LAMASSUOPS_WRITE_SAMPLES=1 dotnet test tests/LamassuOps.Tests --filter BunkerSampleTests");
        Assert.True(generated == File.ReadAllText(ShippedPath),
            $"{BunkerSample.RelativePath} is stale: the fixture builder now makes something else. Regenerate it with: " +
            "LAMASSUOPS_WRITE_SAMPLES=1 dotnet test tests/LamassuOps.Tests --filter BunkerSampleTests");
    }

    [Fact]
    public void SampleLoadedThroughMicrosoftDataSqliteIsTheSameDatabase() => AssertSameAsShipped(BunkerSample.Load(_dir.File("loaded.db")));

    [Fact]
    public void SampleLoadedBySqlite3IsTheSameDatabase()
    {
        var loaded = _dir.File("loaded.db");

        var result = ExternalProcess.Run("sqlite3", [loaded], stdin: File.ReadAllText(ShippedPath));

        Assert.True(result.ExitCode == 0 && result.Stderr.Length == 0, result.Describe());
        AssertSameAsShipped(loaded);
    }

    private static void AssertSameAsShipped(string loaded)
    {
        var shipped = File.ReadAllText(ShippedPath);
        var header = string.Join("\n", shipped.Split('\n').TakeWhile(line => line.StartsWith("--", StringComparison.Ordinal))
            .Select(line => line.Length > 3 ? line[3..] : ""));
        Assert.Equal(shipped, SqlDump.Of(loaded, header));
    }
}
