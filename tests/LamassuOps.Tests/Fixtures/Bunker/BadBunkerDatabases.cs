using LamassuOps.Core.Bunker;

namespace LamassuOps.Tests.Fixtures.Bunker;

/// <summary>
/// The files every Bunker command must refuse, each with the error id it must give: a missing path, a directory, an
/// empty file, a file that is not SQLite, another program's database and a corrupt nsecbunker.db.
/// </summary>
public static class BadBunkerDatabases
{
    public static IReadOnlyList<(string Path, string ErrorId)> Create(ScratchDirectory dir)
    {
        var directory = dir.File("data");
        Directory.CreateDirectory(directory);
        var empty = dir.File("empty.db");
        File.WriteAllBytes(empty, []);
        var config = dir.File("nsecbunker.json");
        File.WriteAllText(config, "{\"keys\":{}}");
        var other = dir.File("wallet.sqlite3");
        SqliteShell.Query(other, "CREATE TABLE accounts (id TEXT PRIMARY KEY)");
        var corrupt = PairedBunker.Create(dir.File("corrupt.db")).Path;
        using (var stream = new FileStream(corrupt, FileMode.Open, FileAccess.Write))
        {
            stream.Seek(100, SeekOrigin.Begin);
            stream.Write(Enumerable.Repeat((byte)0xA5, 3996).ToArray());
        }
        return
        [
            (dir.File("missing.db"), BunkerErrors.DatabaseNotFound), (directory, BunkerErrors.PathIsDirectory),
            (empty, BunkerErrors.DatabaseEmpty), (config, BunkerErrors.NotSqliteDatabase),
            (other, BunkerErrors.NotNsecbunkerDatabase), (corrupt, BunkerErrors.DatabaseCorrupt),
        ];
    }
}
