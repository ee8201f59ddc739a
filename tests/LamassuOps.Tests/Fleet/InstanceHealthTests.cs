using LamassuOps.Core.Fleet;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Fixtures.Lnbits;
using LamassuOps.Tests.Lamassu;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Fleet;

/// <summary>Get-LamassuOpsHealth's per-instance check over generated instances on one host, a broken one among them; all read-only.</summary>
[Collection(PostgresCollection.Name)]
public sealed class InstanceHealthTests(PostgresServer server) : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static LamassuOpsHealth Check(LamassuOpsInstance instance) =>
        InstanceHealth.Check(instance, new HealthOptions { AsOf = FleetFixture.Now }, new RecordingHost());

    [Fact]
    public void EachInstanceGetsOneRowWithItsFindingsAndTheFilesStayAsTheyWere()
    {
        var fleet = FleetFixture.Create(_dir);
        var files = Directory.EnumerateFiles(_dir.Path, "*", SearchOption.AllDirectories).Select(FileSnapshot.Take).ToList();

        var rows = Inventory.ReadJson(fleet.Inventory).ToDictionary(i => i.Name, Check);

        var healthy = rows["healthy"];
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.False(healthy.NeedsAttention);
        Assert.Empty(healthy.Findings);
        Assert.Equal((0L, 0), (healthy.StaleCopies, healthy.PairingsNotHealthy));
        Assert.Equal(TimeSpan.FromHours(2), healthy.NewestBackupAge);
        Assert.StartsWith(fleet.HealthyBunker + ".", healthy.NewestBackup);

        var sample = rows["sample"];
        Assert.Equal(HealthStatus.Critical, sample.Status);
        Assert.True(sample.NeedsAttention);
        var byCheck = sample.Findings.ToDictionary(f => f.Check);
        Assert.Equal(["Backup", "StaleCopies", "Pairings", "SigningLog", "Request"], sample.Findings.Select(f => f.Check));
        Assert.Equal(HealthSeverity.Critical, byCheck["Pairings"].Severity);
        Assert.Contains("of 9 LNbits signer accounts pair healthily", byCheck["Pairings"].Message);
        Assert.InRange(sample.PairingsNotHealthy!.Value, 1, 9);
        Assert.StartsWith("Test-BunkerPairing -BunkerDatabase '", byCheck["Pairings"].Fix);
        Assert.Equal(22, sample.StaleCopies);
        Assert.Equal($"Remove-StaleSigningCondition -LiteralPath '{fleet.SampleBunker}'", byCheck["StaleCopies"].Fix);
        Assert.Equal($"Backup-BunkerDatabase -LiteralPath '{fleet.SampleBunker}'", byCheck["Backup"].Fix);
        Assert.Null(sample.NewestBackup);
        Assert.Equal($"Remove-BunkerSigningLog -LiteralPath '{fleet.SampleBunker}' -OlderThan 30.00:00:00", byCheck["SigningLog"].Fix);
        Assert.Equal($"Remove-BunkerRequest -LiteralPath '{fleet.SampleBunker}' -OlderThan 01:00:00", byCheck["Request"].Fix);
        Assert.Equal((1L, 1L), (sample.SigningLogRows, sample.RequestRows));
        Assert.All(sample.Findings, f => Assert.Equal(f.Severity == HealthSeverity.Critical ? "Pairings" : f.Check, f.Check));

        foreach (var (name, errorId) in new[] { ("missing", "BunkerDatabaseNotFound"), ("corrupt", "NotSqliteDatabase") })
        {
            var broken = rows[name];
            Assert.Equal(HealthStatus.Critical, broken.Status);
            var finding = Assert.Single(broken.Findings);
            Assert.Equal(("BunkerDatabase", HealthSeverity.Critical), (finding.Check, finding.Severity));
            Assert.Contains($"could not run:", finding.Message);
            Assert.Contains($"({errorId})", finding.Message);
            Assert.NotNull(finding.Fix);
        }

        foreach (var file in files) file.AssertUnchanged();
        Assert.Equal(files.Count, Directory.EnumerateFiles(_dir.Path, "*", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public void AnOldBackupIsAWarningAndABackupThatFailsItsCheckDoesNotCount()
    {
        var fleet = FleetFixture.Create(_dir);
        var instance = Inventory.ReadJson(fleet.Inventory).Single(i => i.Name == "healthy");
        var old = InstanceHealth.Check(instance, new HealthOptions { AsOf = FleetFixture.Now.AddDays(3) }, new RecordingHost());
        Assert.Equal(HealthStatus.Warning, old.Status);
        var finding = Assert.Single(old.Findings);
        Assert.Equal(("Backup", HealthSeverity.Warning), (finding.Check, finding.Severity));
        Assert.Contains("3.1 days old (more than 1 days)", finding.Message);

        // A newer file with a backup's name that is no database: reported, and the older verified one still counts.
        var bad = fleet.HealthyBunker + ".20260901T110000000Z.bak";
        File.WriteAllText(bad, "truncated");
        var row = Check(instance);
        Assert.Equal(HealthStatus.Warning, row.Status);
        Assert.Contains("fails SQLite's quick_check", Assert.Single(row.Findings).Message);
        Assert.Equal(TimeSpan.FromHours(2), row.NewestBackupAge);
    }

    [Fact]
    public void APasswordInTheLnbitsUrlNeverReachesAFinding()
    {
        var fleet = FleetFixture.Create(_dir);
        using var lnbits = new LnbitsDatabases(server, _dir);
        // Peer authentication over the socket never asks for the password, so the URL works with one in it.
        var url = lnbits.Write(postgres: true, [new LnbitsTestAccount("acct-lost", "lost",
                LnbitsFixture.SignerConfig(new string('e', 64), NostrTestKey.Generate(), policyId: 1))])
            .Replace("postgresql://postgres@", "postgresql://postgres:s3cr3t-pw@");

        var row = Check(new LamassuOpsInstance { Name = "pg", BunkerDatabase = fleet.HealthyBunker, LnbitsDatabase = url });

        var pairings = Assert.Single(row.Findings, f => f.Check == "Pairings");
        Assert.Contains("-LnbitsDatabase 'postgresql://postgres:****@", pairings.Fix);
        Assert.All(row.Findings, f => Assert.DoesNotContain("s3cr3t-pw", f.Message + f.Fix));
    }

    [Fact]
    public void AnInstanceWithoutABunkerIsSaidSoNotCrashed()
    {
        var bare = Check(new LamassuOpsInstance { Name = "bare" });
        Assert.Equal(HealthStatus.Healthy, bare.Status);
        Assert.Equal(HealthSeverity.Info, Assert.Single(bare.Findings).Severity);
    }

    [Fact]
    public void AnInstanceOfAnotherHostIsCheckedThereNeverHere()
    {
        // Get-LamassuOpsHealth sends it over remoting (tests/pester/Remoting.Tests.ps1); Check itself refuses it.
        Assert.Throws<ArgumentException>(() =>
            Check(new LamassuOpsInstance { Name = "far", Host = "node1.example", BunkerDatabase = "/var/lib/nsecbunkerd/nsecbunker.db" }));
    }

    [Fact]
    public void TheMoveToPeerAuthenticationIsAFindingWithTheWrapperAndTheServiceUser()
    {
        var url = $"postgresql://lamassu@{Uri.EscapeDataString(server.SocketDirectory)}:{server.Port}/lamassu";
        var unready = LamassuPackageTree.V10(_dir.File("unready"), databaseUrlPatch: false).WithPg("node_modules", "8.7.3", "2.5.0");
        var wrapper = _dir.File("lamassu-env");
        File.WriteAllText(wrapper, "#!/bin/sh\nexport POSTGRES_HOST=localhost\n");
        var wrapperBefore = File.ReadAllBytes(wrapper);

        var blocked = Check(new LamassuOpsInstance
        {
            Name = "blocked", LamassuDatabaseUrl = url, LamassuPackage = unready.Root, LamassuWrapper = wrapper, LamassuServiceUser = "lamassuops-no-such-user",
        });
        var withoutWrapper = Check(new LamassuOpsInstance { Name = "plain", LamassuPackage = unready.Root });

        var steps = blocked.Findings.Where(f => f.Check == "PeerAuthPlan").ToList();
        Assert.Contains(steps, f => f.Severity == HealthSeverity.Warning && f.Message.Contains("(Package supports peer authentication)"));
        Assert.Contains(steps, f => f.Severity == HealthSeverity.Warning && f.Message.Contains("lamassuops-no-such-user"));
        Assert.All(steps, f => Assert.False(string.IsNullOrEmpty(f.Fix)));
        Assert.DoesNotContain(withoutWrapper.Findings, f => f.Check == "PeerAuthPlan");
        Assert.Equal(wrapperBefore, File.ReadAllBytes(wrapper));
    }

    [Fact]
    public void PeerAuthOfTheLamassuRoleAndTheReadinessOfItsPackage()
    {
        string Url(string role) => $"postgresql://{role}@{Uri.EscapeDataString(server.SocketDirectory)}:{server.Port}/postgres";
        var ready = LamassuPackageTree.V10(_dir.File("ready"), databaseUrlPatch: true).WithPg("node_modules", "8.7.3", "2.5.0");
        var unready = LamassuPackageTree.V10(_dir.File("unready"), databaseUrlPatch: false).WithPg("node_modules", "8.7.3", "2.5.0");

        var good = Check(new LamassuOpsInstance { Name = "good", LamassuDatabaseUrl = Url("postgres"), LamassuPackage = ready.Root });
        Assert.DoesNotContain(good.Findings, f => f.Check is "PeerAuth" or "PeerAuthReadiness");

        var bad = Check(new LamassuOpsInstance { Name = "bad", LamassuDatabaseUrl = Url(PostgresServer.ServiceUser), LamassuPackage = unready.Root });
        var peer = Assert.Single(bad.Findings, f => f.Check == "PeerAuth");
        Assert.Equal(HealthSeverity.Critical, peer.Severity);
        Assert.Contains("(PeerMismatch)", peer.Message);
        Assert.Contains($"OS user '{PostgresServer.ServiceUser}'", peer.Fix);
        var readiness = Assert.Single(bad.Findings, f => f.Check == "PeerAuthReadiness");
        Assert.Equal(HealthSeverity.Warning, readiness.Severity);
        Assert.Contains("supports only a password over TCP", readiness.Message);
        Assert.Equal(HealthStatus.Critical, bad.Status);
    }
}
