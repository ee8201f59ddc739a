using System.Text.Json;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;

namespace LamassuOps.Tests.Fleet;

/// <summary>
/// The scheduled-job recipe of contrib/: the units pass systemd-analyze verify, the NixOS module parses, the script
/// passes shellcheck and, run for real over generated instances, backs up, strips, prunes and reports health as JSON
/// lines, exiting non-zero while an instance needs attention.
/// </summary>
public sealed class ScheduledJobTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Contrib(params string[] path) => RepositoryPaths.Combine(["contrib", .. path]);

    [Fact]
    public void TheUnitsPassSystemdAnalyzeVerify()
    {
        // As installed: ExecStart names the script where it is (here, the checkout), the user one that exists here.
        var service = File.ReadAllText(Contrib("systemd", "lamassuops-maintenance.service"))
            .Replace("ExecStart=/opt/lamassuops/contrib/lamassuops-maintenance", "ExecStart=" + Contrib("systemd", "lamassuops-maintenance"))
            .Replace("User=nsecbunkerd", "User=root").Replace("Group=nsecbunkerd", "Group=root");
        Assert.Contains("ExecStart=" + Contrib("systemd", "lamassuops-maintenance"), service);
        File.WriteAllText(_dir.File("lamassuops-maintenance.service"), service);
        File.Copy(Contrib("systemd", "lamassuops-maintenance.timer"), _dir.File("lamassuops-maintenance.timer"));

        var verify = ExternalProcess.Run("systemd-analyze", ["verify", "--man=no", _dir.File("lamassuops-maintenance.service"), _dir.File("lamassuops-maintenance.timer")]);

        Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);
        Assert.Equal("", verify.Stderr.Trim());
    }

    [Fact]
    public void TheNixosModuleParsesAndTheScriptPassesShellcheck()
    {
        var parse = ExternalProcess.Run("nix-instantiate", ["--parse", Contrib("nixos", "lamassuops.nix")]);
        var shellcheck = ExternalProcess.Run("shellcheck", [Contrib("systemd", "lamassuops-maintenance")]);

        Assert.True(parse.ExitCode == 0, parse.Stderr);
        Assert.Contains("services", parse.Stdout);
        Assert.True(shellcheck.ExitCode == 0, shellcheck.Stdout);
    }

    [Fact]
    public void TheJobBacksUpStripsPrunesAndReportsHealthInJsonLines()
    {
        var fleet = FleetFixture.Create(_dir);
        var inventory = _dir.File("job.json");
        File.WriteAllText(inventory, """
            { "instances": [ { "name": "sample", "bunkerDatabase": "sample/nsecbunker.db" }, { "name": "missing", "bunkerDatabase": "missing/nsecbunker.db" } ] }
            """);
        var environment = new Dictionary<string, string?>
        {
            ["LAMASSUOPS_INVENTORY"] = inventory,
            ["LAMASSUOPS_CLI"] = "dotnet " + CliProcess.DllPath,
        };

        var job = ExternalProcess.Run(Contrib("systemd", "lamassuops-maintenance"), [], environment: environment);

        Assert.Equal(1, job.ExitCode);
        var lines = job.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        // sample: its backup, the strip, the two prunes; then one health row per instance.
        Assert.Equal(6, lines.Count);
        Assert.All(lines.Take(4), l => Assert.Equal("sample", l.GetProperty("Instance").GetString()));
        Assert.True(lines[0].GetProperty("Verified").GetBoolean());
        Assert.Equal(22, lines[1].GetProperty("Removed").GetInt64());
        Assert.NotNull(lines[1].GetProperty("BackupPath").GetString());
        var health = lines.Skip(4).ToDictionary(l => l.GetProperty("Instance").GetString()!);
        Assert.Equal(["missing", "sample"], health.Keys.Order());
        Assert.Equal(0, health["sample"].GetProperty("StaleCopies").GetInt64());
        Assert.StartsWith(fleet.SampleBunker + ".", health["sample"].GetProperty("NewestBackup").GetString());
        Assert.DoesNotContain(health["sample"].GetProperty("Findings").EnumerateArray(), f => f.GetProperty("Check").GetString() is "Backup" or "StaleCopies" or "Request");
        Assert.Equal("Critical", health["missing"].GetProperty("Status").GetString());
        Assert.Contains("lamassuops: BunkerDatabaseNotFound:", job.Stderr);
        Assert.DoesNotContain("   at ", job.Stderr);
    }
}
