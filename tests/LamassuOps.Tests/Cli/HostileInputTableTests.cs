using System.Net.Sockets;
using System.Text;
using LamassuOps.Core.Bunker;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Fixtures.Lnbits;
using LamassuOps.Tests.Lamassu;
using LamassuOps.Tests.Postgres.Support;
using Xunit.Abstractions;

namespace LamassuOps.Tests.Cli;

/// <summary>
/// The single place that proves what every command promises on bad input (README, "Bad input"): every lamassuops
/// command against a table of hostile inputs — every kind of path (directory, FIFO, socket, device, symbolic link
/// loop, dangling link, a bind mount of the database, unsearchable parent as a non-root user, trailing slash, leading dash, newline, bytes that are
/// not UTF-8), a database missing a column, every numeric parameter at and past its bounds, string parameters with control characters and invalid
/// UTF-8. Each run must end with exit code 1 or 2 and the row's error id on stderr, no stack trace, within a minute
/// (a FIFO must not hang it), and leave every input file's bytes and mtime as they were and no stray file in the
/// working directory. The runs go through bash so that an argument can hold bytes .NET strings cannot.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HostileInputTableTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Stands for the byte 0xFF (never valid UTF-8) in a table argument.</summary>
    private const char NotUtf8 = '\uFFFF';

    private const string Nobody = "nobody";

    private readonly ScratchDirectory _dir = new();

    /// <summary>Bound for the whole test: .NET removes a socket's file when it is closed.</summary>
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    /// <summary>A bind mount of the database's directory: the database under another name that only device and inode reveal.</summary>
    private string? _bindMount;

    public void Dispose()
    {
        if (_bindMount is not null) ExternalProcess.RunChecked("umount", _bindMount);
        _socket.Dispose();
        _dir.Dispose();
    }

    /// <summary>A command line, the error id it must fail with, and whether it runs as a non-root user.</summary>
    public sealed record Row(string Id, bool AsNobody, params string[] Args);

    private static readonly string[] DatabaseCommands =
    [
        "Test-BunkerDatabase", "Get-BunkerPairing", "Get-BunkerSigningCondition", "Backup-BunkerDatabase",
        "Remove-StaleSigningCondition --force", "Remove-BunkerSigningLog --force", "Remove-BunkerRequest --force",
        "Restore-BunkerDatabase --backup-path {backup} --force", "Repair-BunkerPairing --lnbits-database {lnbits} --force",
        "Compare-BunkerPairing --after {db}",
    ];

    private static readonly string[] PortCommands =
    [
        "Test-PeerAuth", "Assert-PeerAuth", "Get-LamassuMigrationStatus --package-path {pkg}", Wrapper("{w}"),
        $"Get-LamassuPeerAuthPlan {Move} {{w}}", $"Enable-LamassuPeerAuth --force {Move} {{w}}", "Disable-LamassuPasswordLogin lamassu --force",
        "New-LamassuNixModuleChange {pkg} --database-user lamassu",
    ];

    /// <summary>The move to peer authentication, up to its -WrapperPath.</summary>
    private const string Move = "--package-path {pkg} --service-user lamassu --wrapper-path";

    private static string Wrapper(string path) => $"New-LamassuEnvWrapper --path {path} --package-path {{pkg}} --database-user lamassu --hostname h --node-directory /usr/bin";

    public static IEnumerable<Row> Table()
    {
        foreach (var command in DatabaseCommands)
        {
            // Compare-BunkerPairing reads -Before first: the hostile path goes there.
            var flag = command.StartsWith("Compare", StringComparison.Ordinal) ? "--before" : "--path";
            yield return Db(BunkerErrors.PathIsDirectory, command, "{dir}", flag);
            foreach (var special in new[] { "{fifo}", "{socket}", "/dev/null", "{loop}" })
                yield return Db("PathNotRegularFile", command, special, flag);
            yield return Db(BunkerErrors.DatabaseNeedsRecovery, command, "{hot}", flag);
            yield return Db("ArgumentNotUnicode", command, $"{{dir}}/x{NotUtf8}.db", flag);
            yield return new Row("PathParentAccessDenied", true, [.. Split(command), flag, "{locked}/nsecbunker.db"]);
            // A restore creates a missing database by design, never through a dangling link (it would land elsewhere);
            // every other command refuses what is not there.
            if (command.StartsWith("Restore", StringComparison.Ordinal))
            {
                yield return Db("PathNotRegularFile", command, "{dangling}");
                continue;
            }
            foreach (var missing in new[] { "{dangling}", "{db}/", "-leading-dash.db", "new\nline.db" })
                yield return Db(BunkerErrors.DatabaseNotFound, command, missing, flag);
        }

        var restore = "Restore-BunkerDatabase --path {db} --force --backup-path";
        yield return Db(BunkerErrors.PathIsDirectory, restore, "{dir}", flag: null);
        yield return Db("PathNotRegularFile", restore, "{fifo}", flag: null);
        yield return Db("BackupIsTheDatabase", restore, "{hardlink}", flag: null);
        yield return Db("BackupIsTheDatabase", restore, "{bound}/nsecbunker.db", flag: null);
        yield return Db(BackupErrors.DestinationExists, "Backup-BunkerDatabase --path {db} --destination", "{dangling}", flag: null);
        yield return Db(RestoreBunkerDatabaseOperation.RestoreWouldLosePairings, restore, "{emptybackup}", flag: null);
        yield return Db(BunkerErrors.DatabaseNotFound, restore, "{dangling}", flag: null);

        // LNbits' SQLite file is refused the same way before it is opened (a FIFO would hang the command).
        foreach (var special in new[] { "{fifo}", "{socket}", "/dev/null", "{loop}" })
            yield return Db("PathNotRegularFile", "Get-LnbitsSignerAccount --database", special, flag: null);

        yield return Db("WrapperPathIsDirectory", Wrapper("{dir}"), null, flag: null);
        yield return Db("WrapperPathIsDirectory", Wrapper("{dir}/"), null, flag: null);
        yield return Db("PathNotRegularFile", Wrapper("{fifo}"), null, flag: null);
        yield return Db("WrapperDirectoryNotFound", Wrapper("{dir}/missing/w"), null, flag: null);
        yield return new Row("PathParentAccessDenied", true, Split(Wrapper("{locked}/w")));
        yield return new Row("WrapperNotWritable", true, Split(Wrapper("{dir}/w")));
        yield return Db("ArgumentNotUnicode", Wrapper("{w}") + " --log-level", $"in{NotUtf8}fo", flag: null);

        foreach (var command in new[] { "Get-LamassuPeerAuthPlan", "Enable-LamassuPeerAuth --force --node-directory /usr/bin" })
        {
            foreach (var special in new[] { "{fifo}", "{dir}", "{socket}" }) yield return Db("PathNotRegularFile", $"{command} {Move}", special, flag: null);
            yield return new Row("PathParentAccessDenied", true, [.. Split($"{command} {Move}"), "{locked}/lamassu-env"]);
        }

        foreach (var command in PortCommands)
        {
            foreach (var port in new[] { "0", "-1", "65536", "70000" }) yield return Db("ParameterArgumentValidationError", command + " --port", port, flag: null);
            yield return Db("CannotConvertArgumentNoMessage", command + " --port", "99999999999", flag: null);
        }

        foreach (var reader in new[] { "Get-BunkerPairing", "Get-BunkerSigningCondition", "Remove-StaleSigningCondition --force" })
            yield return Db(BunkerErrors.SchemaUnreadable, reader, "{nocolumn}");

        var url = "ConvertFrom-PostgresUrl --url";
        yield return Db("PostgresUrlAmbiguousUserinfo", url, "postgresql://lamassu@x:hunter2secret@localhost/lamassu", flag: null);
        yield return Db("PostgresUrlInvalidPort", url, "postgresql://lamassu:hunter2secret@localhost:70000/lamassu", flag: null);
        yield return Db("PostgresUrlInvalidPort", url, "postgresql://lamassu:hunter2secret@localhost:0/lamassu", flag: null);
        yield return Db("ArgumentNotUnicode", url, $"postgresql://lamassu:hunter2{NotUtf8}@localhost/lamassu", flag: null);

        yield return Db(RemoveBunkerSigningLogOperation.AgeNegative, "Remove-BunkerSigningLog --force --path {db} --older-than", "-1:00:00", flag: null);
        yield return Db(RemoveBunkerRequestOperation.AgeTooShort, "Remove-BunkerRequest --force --path {db} --older-than", "-1:00:00", flag: null);
        yield return Db("CannotConvertArgumentNoMessage", "Remove-BunkerRequest --force --path {db} --older-than", "99999999999.00:00:00", flag: null);
        yield return Db("CannotConvertArgumentNoMessage", "Get-BunkerPairing --path {db} --as-of", "yesterday\u0007", flag: null);
        yield return Db("ArgumentNotUnicode", "Get-BunkerPairing --path {db} --key-name", $"ln{NotUtf8}bits", flag: null);
    }

    private static Row Db(string id, string command, string? value, string? flag = "--path") =>
        new(id, false, [.. Split(command), .. flag is null ? [] : new[] { flag }, .. value is null ? [] : new[] { value }]);

    private static string[] Split(string command) => command.Split(' ');

    [Fact]
    public void EveryCommandRefusesEveryHostileInputCleanly()
    {
        var places = Prepare();
        var inputs = new[] { places["{db}"], places["{backup}"], places["{emptybackup}"], places["{hot}"], places["{hot}"] + "-journal", places["{w}"], places["{nocolumn}"], places["{lnbits}"] }
            .Select(FileSnapshot.Take).ToList();
        var failures = new List<string>();
        var rows = Table().ToList();
        foreach (var row in rows)
        {
            var args = row.Args.Select(a => places.Aggregate(a, (text, place) => text.Replace(place.Key, place.Value, StringComparison.Ordinal))).ToList();
            var result = Run(args, row.AsNobody);
            var shown = string.Join(' ', args).Replace("\n", "\\n", StringComparison.Ordinal);
            if (result.ExitCode is not (1 or 2)) failures.Add($"{shown}: exit {result.ExitCode}, {result.Stderr}");
            else if (!result.Stderr.Contains($"lamassuops: {row.Id}: ", StringComparison.Ordinal)) failures.Add($"{shown}: expected {row.Id}, got {result.Stderr}");
            if (result.Stderr.Split('\n').Any(line => line.StartsWith("   at ", StringComparison.Ordinal))) failures.Add($"{shown}: a stack trace");
            if (result.Stderr.Contains("WARNING:", StringComparison.Ordinal)) failures.Add($"{shown}: a warning before the refusal: {result.Stderr}");
            if ((result.Stdout + result.Stderr).Contains("hunter2", StringComparison.Ordinal)) failures.Add($"{shown}: the password is printed");
            foreach (var input in inputs)
            {
                if (input != FileSnapshot.Take(input.Path)) failures.Add($"{shown}: {input.Path} or its directory changed");
            }
        }
        output.WriteLine($"{rows.Count} hostile command lines");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private Dictionary<string, string> Prepare()
    {
        var work = _dir.File("work");
        Directory.CreateDirectory(work);
        var db = PairedBunker.Create(Path.Combine(work, "nsecbunker.db")).Path;
        var backups = _dir.File("backups");
        Directory.CreateDirectory(backups);
        var backup = Assert.Single(BackupBunkerDatabaseOperation.Run(
            new BackupBunkerDatabaseOptions { Path = db, Destination = Path.Combine(backups, "nsecbunker.bak") }, new RecordingHost()).ToList()).BackupPath;
        var emptyBackup = Path.Combine(backups, "empty.bak");
        File.Copy(backup, emptyBackup);
        SqliteShell.Query(emptyBackup, "DELETE FROM SigningCondition; DELETE FROM Token; DELETE FROM KeyUser;");

        var cliHome = _dir.File("clihome");
        Directory.CreateDirectory(cliHome);
        File.SetUnixFileMode(cliHome, (UnixFileMode)0x1FF);
        var odd = _dir.File("odd");
        Directory.CreateDirectory(Path.Combine(odd, "dir"));
        ExternalProcess.RunChecked("mkfifo", Path.Combine(odd, "fifo"));
        _socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(odd, "socket")));
        File.CreateSymbolicLink(Path.Combine(odd, "loop1"), Path.Combine(odd, "loop2"));
        File.CreateSymbolicLink(Path.Combine(odd, "loop2"), Path.Combine(odd, "loop1"));
        File.CreateSymbolicLink(Path.Combine(odd, "dangling"), Path.Combine(odd, "nowhere"));
        ExternalProcess.RunChecked("ln", db, Path.Combine(odd, "hardlink"));
        var bound = Path.Combine(odd, "bound");
        Directory.CreateDirectory(bound);
        ExternalProcess.RunChecked("mount", "--bind", work, bound);
        _bindMount = bound;
        var locked = Path.Combine(odd, "locked");
        Directory.CreateDirectory(locked);
        File.Copy(db, Path.Combine(locked, "nsecbunker.db"));
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var noColumn = Path.Combine(odd, "nocolumn.db");
        File.Copy(db, noColumn);
        SqliteShell.Query(noColumn, "ALTER TABLE Token DROP COLUMN keyName;");
        var hot = Path.Combine(odd, "hot.db");
        HotJournal.CopyInterrupted(db, hot);

        var package = LamassuPackageTree.V10(_dir.File("pkg"), databaseUrlPatch: true).Root;
        var wrapper = Path.Combine(work, "lamassu-env");
        File.WriteAllText(wrapper, "#!/bin/sh\n");
        return new Dictionary<string, string>
        {
            ["{db}"] = db, ["{backup}"] = backup, ["{emptybackup}"] = emptyBackup, ["{dir}"] = Path.Combine(odd, "dir"),
            ["{fifo}"] = Path.Combine(odd, "fifo"), ["{socket}"] = Path.Combine(odd, "socket"), ["{loop}"] = Path.Combine(odd, "loop1"),
            ["{dangling}"] = Path.Combine(odd, "dangling"), ["{hardlink}"] = Path.Combine(odd, "hardlink"), ["{locked}"] = locked, ["{bound}"] = bound, ["{nocolumn}"] = noColumn,
            ["{hot}"] = hot, ["{pkg}"] = package, ["{w}"] = wrapper, ["{lnbits}"] = LnbitsFixture.WriteSqlite(Path.Combine(work, "lnbits.sqlite3"), []),
        };
    }

    /// <summary>Runs lamassuops from the work directory through bash, each argument an ANSI-C quoted word ($'...').</summary>
    private ProcessResult Run(IEnumerable<string> args, bool asNobody)
    {
        var script = $"exec timeout 60 dotnet {Word(CliProcess.DllPath)} {string.Join(' ', args.Select(Word))}";
        return ExternalProcess.Run("bash", ["-c", script],
            environment: new Dictionary<string, string?> { ["DOTNET_CLI_HOME"] = _dir.File("clihome"), ["DOTNET_NOLOGO"] = "1" },
            runAsUser: asNobody ? Nobody : null, workingDirectory: _dir.File("work"));
    }

    private static string Word(string value)
    {
        var word = new StringBuilder("$'");
        foreach (var c in value)
        {
            if (c == NotUtf8) word.Append(@"\xff");
            else if (c is '\'' or '\\') word.Append('\\').Append(c);
            else if (char.IsControl(c)) word.Append($"\\x{(int)c:x2}");
            else word.Append(c);
        }
        return word.Append('\'').ToString();
    }
}
