using System.Text;
using System.Text.Json;
using LamassuOps.Core;
using LamassuOps.Core.Lamassu;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Lamassu;

/// <summary>The wrapper file itself: quoting (fuzzed through a real bash), refusals, shellcheck, file mode, -WhatIf and -Force.</summary>
public sealed class EnvWrapperTests : IDisposable
{
    private const int FuzzRounds = 60;
    private readonly string _root = Directory.CreateTempSubdirectory("lamassuops-wrapper-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private LamassuPackageTree Package(string name = "lamassu", bool patched = false) =>
        LamassuPackageTree.V10(Path.Combine(_root, name), patched).WithPg("node_modules", "8.16.3", "2.9.1");

    private EnvWrapperOptions Options(LamassuPackageTree package, string? path = null, LamassuDatabaseMode mode = LamassuDatabaseMode.Auto,
        string? passwordFile = null, bool force = false) => new()
    {
        Path = path ?? Path.Combine(_root, "lamassu-env"),
        PackagePath = package.Root,
        Mode = mode,
        DatabaseUser = "lamassu-server",
        Hostname = "atm.example.org",
        NodeDirectory = "/usr/bin",
        PasswordFile = passwordFile,
        Force = force,
    };

    /// <summary>Runs the wrapper with bash and returns the environment the wrapped command got (env -0).</summary>
    private static Dictionary<string, string> EnvironmentSeenThrough(string wrapper)
    {
        var result = ExternalProcess.Run("bash", [wrapper, "/usr/bin/env", "-0"]);
        Assert.True(result.ExitCode == 0, result.Describe());
        return result.Stdout.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);
    }

    [Theory]
    [InlineData(LamassuDatabaseMode.DatabaseUrl)]
    [InlineData(LamassuDatabaseMode.EncodedSocketHost)]
    [InlineData(LamassuDatabaseMode.PasswordTcp)]
    public void EveryModePassesShellcheckForBothLayouts(LamassuDatabaseMode mode)
    {
        foreach (var package in new[] { Package(), LamassuPackageTree.V12(Path.Combine(_root, "v12"), true, true).WithPg("node_modules", "8.16.3", "2.9.1") })
        {
            var path = Path.Combine(_root, $"env-{mode}-{(package.IsV12 ? 12 : 10)}");
            EnvWrapperWriter.Write(Options(package, path, mode, passwordFile: "/run/secrets/lamassu-db-password"), new RecordingHost());

            var shellcheck = ExternalProcess.Run("shellcheck", ["--shell=bash", "--severity=style", path]);

            Assert.True(shellcheck.ExitCode == 0, shellcheck.Describe());
        }
    }

    [Fact]
    public void RandomValuesRoundTripThroughBashUnchanged()
    {
        var random = new Random(20261122);
        for (var round = 0; round < FuzzRounds; round++)
        {
            var package = Package("p-" + RandomText(random, allowColon: false, allowSlash: false));
            var values = new Dictionary<string, string>
            {
                ["HOSTNAME"] = RandomText(random), ["KEY_PATH"] = RandomText(random), ["CERT_PATH"] = RandomText(random),
                ["CA_PATH"] = RandomText(random), ["MNEMONIC_PATH"] = RandomText(random), ["LOG_LEVEL"] = RandomText(random),
            };
            var nodeDirectory = "/opt/" + RandomText(random, allowColon: false);
            var path = Path.Combine(_root, $"env-{round}");
            EnvWrapperWriter.Write(new EnvWrapperOptions
            {
                Path = path, PackagePath = package.Root, Mode = LamassuDatabaseMode.EncodedSocketHost, DatabaseUser = "lamassu-server",
                Hostname = values["HOSTNAME"], KeyPath = values["KEY_PATH"], CertPath = values["CERT_PATH"], CaPath = values["CA_PATH"],
                MnemonicPath = values["MNEMONIC_PATH"], LogLevel = values["LOG_LEVEL"], NodeDirectory = nodeDirectory,
            }, new RecordingHost());

            var seen = EnvironmentSeenThrough(path);
            var directory = ExternalProcess.Run("bash", [path, "/bin/pwd"]);

            foreach (var (name, value) in values) Assert.True(seen[name] == value, $"round {round}: {name} came out as {seen[name]}");
            Assert.StartsWith(nodeDirectory + ":", seen["PATH"]);
            Assert.Equal(Path.Combine(package.Root, "node_modules"), seen["NODE_PATH"]);
            Assert.Equal(package.Root, directory.Stdout[..^1]);
        }
    }

    [Fact]
    public void UrlPartsSurviveBashAndLamassusTemplateIntoNodePostgres()
    {
        var random = new Random(7);
        var package = LamassuPackageTree.V10(Path.Combine(_root, "real"), databaseUrlPatch: true)
            .WithRealNodePostgres(Path.Combine(TestPaths.NodeModulesNew, "node_modules"));
        const string parse = "const c = require('pg-connection-string').parse(require('./lib/constants').PSQL_URL); process.stdout.write(JSON.stringify([c.user, c.database, c.host, String(c.port)]))";
        for (var round = 0; round < FuzzRounds / 2; round++)
        {
            var user = RandomText(random, allowUrlReserved: false);
            var database = RandomText(random, allowUrlReserved: false);
            var socket = "/run/" + RandomText(random, allowColon: true);
            foreach (var mode in new[] { LamassuDatabaseMode.DatabaseUrl, LamassuDatabaseMode.EncodedSocketHost })
            {
                var path = Path.Combine(_root, $"url-{round}-{mode}");
                EnvWrapperWriter.Write(new EnvWrapperOptions
                {
                    Path = path, PackagePath = package.Root, Mode = mode, DatabaseUser = user, DatabaseName = database,
                    SocketDirectory = socket, Port = 5433, Hostname = "h", NodeDirectory = "/usr/bin",
                }, new RecordingHost());

                var result = ExternalProcess.Run("bash", [path, "node", "-e", parse]);

                Assert.True(result.ExitCode == 0, result.Describe());
                Assert.Equal([user, database, socket, "5433"], JsonSerializer.Deserialize<string[]>(result.Stdout)!);
            }
        }
    }

    [Theory]
    [InlineData("Hostname", "atm\0evil")]
    [InlineData("DatabaseName", "lamassu?sslmode=disable")]
    [InlineData("DatabaseUser", "lamassu@evil")]
    [InlineData("NodeDirectory", "/opt/node:/tmp")]
    public void UnrepresentableValuesAreRefusedAndNothingIsWritten(string parameter, string value)
    {
        var package = Package();
        var path = Path.Combine(_root, "lamassu-env");
        var options = Options(package, path, LamassuDatabaseMode.EncodedSocketHost);
        options = parameter switch
        {
            "Hostname" => options with { Hostname = value },
            "DatabaseName" => options with { DatabaseName = value },
            "DatabaseUser" => options with { DatabaseUser = value },
            _ => options with { NodeDirectory = value },
        };

        var error = Assert.Throws<LamassuOpsException>(() => EnvWrapperWriter.Write(options, new RecordingHost()));

        Assert.Equal("WrapperValueNotRepresentable", error.ErrorId);
        Assert.Contains("-" + parameter, error.Message);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.EnumerateFiles(_root));
    }

    [Fact]
    public void TextThatIsNotValidUnicodeIsRefused()
    {
        var loneSurrogate = "/etc/" + '\ud800' + "key";

        var error = Assert.Throws<LamassuOpsException>(() =>
            EnvWrapperWriter.Write(Options(Package()) with { KeyPath = loneSurrogate }, new RecordingHost()));

        Assert.Equal("WrapperValueNotRepresentable", error.ErrorId);
        Assert.Contains("-KeyPath", error.Message);
        Assert.Empty(Directory.EnumerateFiles(_root));
    }

    [Fact]
    public void FileIsExecutableAndWritableOnlyByItsOwner()
    {
        var path = Path.Combine(_root, "lamassu-env");

        EnvWrapperWriter.Write(Options(Package(), path), new RecordingHost());

        Assert.Equal("755", ExternalProcess.RunChecked("stat", "--format=%a", path).Stdout.Trim());
        Assert.Single(Directory.EnumerateFiles(_root));
    }

    [Fact]
    public void PasswordModeReadsTheFileAtRunTimeAndNeverEmbedsIt()
    {
        const string password = "p@ss:w/rd%?#é 'x\"$`";
        var secret = Path.Combine(_root, "db-password");
        File.WriteAllText(secret, password + "\n");
        var path = Path.Combine(_root, "lamassu-env");

        var wrapper = EnvWrapperWriter.Write(Options(Package(), path, LamassuDatabaseMode.PasswordTcp, secret), new RecordingHost());
        var seen = EnvironmentSeenThrough(path);

        Assert.DoesNotContain("p@ss", File.ReadAllText(path));
        Assert.DoesNotContain("p@ss", wrapper.Text);
        Assert.Contains(secret, wrapper.Text);
        Assert.Equal(Uri.EscapeDataString(password), seen["POSTGRES_PASSWORD"]);
        Assert.Equal(("127.0.0.1", "5432", "lamassu-server", "lamassu"), (seen["POSTGRES_HOST"], seen["POSTGRES_PORT"], seen["POSTGRES_USER"], seen["POSTGRES_DB"]));
    }

    [Fact]
    public void PasswordModeWithoutAPasswordFileIsRefused()
    {
        var error = Assert.Throws<LamassuOpsException>(() =>
            EnvWrapperWriter.Write(Options(Package(), mode: LamassuDatabaseMode.PasswordTcp), new RecordingHost()));

        Assert.Equal("WrapperPasswordFileRequired", error.ErrorId);
    }

    [Fact]
    public void WrapperFailsToStartWhenThePasswordFileIsMissing()
    {
        var path = Path.Combine(_root, "lamassu-env");
        var host = new RecordingHost();
        EnvWrapperWriter.Write(Options(Package(), path, LamassuDatabaseMode.PasswordTcp, Path.Combine(_root, "absent")), host);

        var result = ExternalProcess.Run("bash", [path, "/usr/bin/env"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains(host.Warnings, w => w.Contains("does not exist yet"));
    }

    [Fact]
    public void WhatIfWritesNothing()
    {
        var path = Path.Combine(_root, "lamassu-env");

        var wrapper = EnvWrapperWriter.Write(Options(Package(), path), new RecordingHost(allowChanges: false));

        Assert.False(wrapper.Written);
        Assert.Contains("exec \"$@\"", wrapper.Text);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.EnumerateFiles(_root));
    }

    [Fact]
    public void ExistingFileNeedsForceAndIsOtherwiseUntouched()
    {
        var package = Package();
        var path = Path.Combine(_root, "lamassu-env");
        File.WriteAllText(path, "#!/bin/sh\necho old\n");
        var mtime = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, mtime);

        var refused = Assert.Throws<LamassuOpsException>(() => EnvWrapperWriter.Write(Options(package, path), new RecordingHost()));
        Assert.Equal("WrapperFileExists", refused.ErrorId);
        Assert.Equal("#!/bin/sh\necho old\n", File.ReadAllText(path));
        Assert.Equal(mtime, File.GetLastWriteTimeUtc(path));

        EnvWrapperWriter.Write(Options(package, path, force: true), new RecordingHost(allowChanges: false));
        Assert.Equal("#!/bin/sh\necho old\n", File.ReadAllText(path));
        Assert.Equal(mtime, File.GetLastWriteTimeUtc(path));

        EnvWrapperWriter.Write(Options(package, path, force: true), new RecordingHost());
        Assert.Contains("set -euo pipefail", File.ReadAllText(path));
        Assert.Single(Directory.EnumerateFiles(_root));
    }

    [Fact]
    public void AutoUsesTheReadinessOfThePackage()
    {
        var unpatched = EnvWrapperWriter.Write(Options(Package("new")) with { Path = Path.Combine(_root, "a") }, new RecordingHost());
        var patched = EnvWrapperWriter.Write(Options(Package("patched", patched: true)) with { Path = Path.Combine(_root, "b") }, new RecordingHost());
        var old = LamassuPackageTree.V10(Path.Combine(_root, "old"), false).WithPg("node_modules", "8.7.3", "2.5.0");
        var tcp = EnvWrapperWriter.Write(Options(old, Path.Combine(_root, "c"), passwordFile: "/run/secrets/pw"), new RecordingHost());

        Assert.Equal(LamassuDatabaseMode.EncodedSocketHost, unpatched.Mode);
        Assert.Contains("export POSTGRES_HOST='%2Frun%2Fpostgresql'", unpatched.Text);
        Assert.Equal(LamassuDatabaseMode.DatabaseUrl, patched.Mode);
        Assert.Contains("export DATABASE_URL='postgresql://lamassu-server@/lamassu?host=/run/postgresql'", patched.Text);
        Assert.Equal(LamassuDatabaseMode.PasswordTcp, tcp.Mode);
    }

    [Fact]
    public void AModeThePackageDoesNotSupportIsWrittenWithAWarning()
    {
        var old = LamassuPackageTree.V10(Path.Combine(_root, "old"), false).WithPg("node_modules", "8.7.3", "2.5.0");
        var host = new RecordingHost();

        EnvWrapperWriter.Write(Options(old, mode: LamassuDatabaseMode.EncodedSocketHost), host);

        Assert.Contains(host.Warnings, w => w.Contains("does not support EncodedSocketHost") && w.Contains("2.5.0"));
    }

    [Fact]
    public void CliWritesWithPassThruJsonAndHonoursWhatIf()
    {
        var package = Package();
        var path = Path.Combine(_root, "lamassu-env");
        string[] arguments = [path, "--package-path", package.Root, "--database-user", "lamassu-server",
            "--hostname", "atm.example.org", "--node-directory", "/usr/bin"];

        var whatIf = CliProcess.Run(["New-LamassuEnvWrapper", .. arguments, "--what-if"], null);
        Assert.Equal(0, whatIf.ExitCode);
        Assert.Contains("What if", whatIf.Stderr);
        Assert.False(File.Exists(path));

        var written = CliProcess.Run(["New-LamassuEnvWrapper", .. arguments, "--mode", "EncodedSocketHost", "--pass-thru", "--json"], null);
        Assert.True(written.ExitCode == 0, written.Stderr);
        var wrapper = Assert.Single(written.JsonLines);
        Assert.Equal("EncodedSocketHost", wrapper.GetProperty("Mode").GetString());
        Assert.True(wrapper.GetProperty("Written").GetBoolean());
        Assert.Equal(File.ReadAllText(path), wrapper.GetProperty("Text").GetString());

        var again = CliProcess.Run(["New-LamassuEnvWrapper", .. arguments], null);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("WrapperFileExists", again.Stderr);
    }

    /// <summary>Text with what shells trip on: quotes, $, backticks, backslashes, globs, newlines, control and non-ASCII characters.</summary>
    private static string RandomText(Random random, bool allowColon = true, bool allowSlash = true, bool allowUrlReserved = true)
    {
        string[] pool =
        [
            "a", "Z", "0", " ", "\t", "\n", "\r", "'", "\"", "`", "$", "\\", "!", "*", "?", "~", "%", "^", "(", ")", "{", "}",
            "[", "]", "<", ">", "|", "&", ";", "#", "=", "+", ",", "-", ".", "_", "@", ":", "/", "$(id)", "${HOME}", "'\\''",
            "é", "中", "ß", "\u00a0", "\u0001", "\u001b", "🦄", "\u200d",
        ];
        var text = new StringBuilder();
        var length = random.Next(1, 14);
        while (text.Length < length)
        {
            var piece = pool[random.Next(pool.Length)];
            if (!allowColon && piece.Contains(':') || !allowSlash && piece.Contains('/')
                || !allowUrlReserved && piece.IndexOfAny(";/?:@&=+$,#".ToCharArray()) >= 0)
                continue;
            text.Append(piece);
        }
        return text.ToString();
    }
}
