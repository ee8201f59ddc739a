using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;

namespace LamassuOps.Tests.Fleet;

/// <summary>The fleet commands through lamassuops as a process: --inventory instead of a session, JSON lines, exit codes.</summary>
public sealed class FleetCliTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly string AsOf = FleetFixture.Now.ToString("o");

    [Fact]
    public void GetLamassuOpsHealthExitsOneWhenAnInstanceNeedsAttentionAndZeroWhenNone()
    {
        var fleet = FleetFixture.Create(_dir);

        var all = CliProcess.Run("Get-LamassuOpsHealth", "--inventory", fleet.Inventory, "--as-of", AsOf, "--json");
        var healthy = CliProcess.Run("Get-LamassuOpsHealth", "--inventory", fleet.Inventory, "--name", "healthy", "--as-of", AsOf, "--json");

        Assert.True(all.ExitCode == 1, all.Stderr);
        Assert.Equal("", all.Stderr);
        // Checked in parallel: one row per instance, in any order.
        var rows = all.JsonLines.ToDictionary(l => l.GetProperty("Instance").GetString()!);
        Assert.Equal(["corrupt", "healthy", "missing", "sample"], rows.Keys.Order());
        Assert.Equal(["Critical", "Healthy", "Critical", "Critical"], rows.Keys.Order().Select(name => rows[name].GetProperty("Status").GetString()));
        var sample = rows["sample"].GetProperty("Findings").EnumerateArray().ToList();
        Assert.Contains(sample, f => f.GetProperty("Check").GetString() == "StaleCopies" && f.GetProperty("Fix").GetString()!.StartsWith("Remove-StaleSigningCondition"));
        Assert.True(healthy.ExitCode == 0, healthy.Stderr + healthy.Stdout);
        Assert.Equal("Healthy", Assert.Single(healthy.JsonLines).GetProperty("Status").GetString());
    }

    [Fact]
    public void AnUnreachableRemoteInstanceIsItsErrorAndLeavesStandardOutputToTheJsonLines()
    {
        // A port nothing listens on: ssh fails at once, and its own message must not reach stdout. It once hung
        // PowerShell's SSH transport (see RemoteInstance.Open): the answer must come well within the connecting timeout.
        var port = ClosedPort();
        var inventory = _dir.File("far.json");
        File.WriteAllText(inventory, $$"""{ "instances": [ { "name": "far", "host": "127.0.0.1", "port": {{port}}, "bunkerDatabase": "/var/lib/nsecbunkerd/nsecbunker.db" } ] }""");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var far = CliProcess.Run("Get-LamassuOpsHealth", "--inventory", inventory, "--json");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.Equal(1, far.ExitCode);
        Assert.Equal("", far.Stdout);
        Assert.Contains($"lamassuops: InstanceUnreachable: far: No PowerShell remoting session to 127.0.0.1:{port}: ssh could not log in: ", far.Stderr);
        Assert.Contains("Connection refused", far.Stderr);
        Assert.DoesNotContain("   at ", far.Stderr);
    }

    [Fact]
    public void ACommandGivenARemoteInstanceRunsThereAndNeverReadsItsPathOnThisMachine()
    {
        var fleet = FleetFixture.Create(_dir);
        var before = File.ReadAllBytes(fleet.SampleBunker);
        var files = Directory.GetFiles(Path.GetDirectoryName(fleet.SampleBunker)!);
        var port = ClosedPort();

        // --host takes the user and port as PowerShell's -HostName does; nothing listens there.
        var far = CliProcess.Run("Remove-StaleSigningCondition", "--literal-path", fleet.SampleBunker, "--instance", "far",
            "--host", $"operator@127.0.0.1:{port}", "--force", "--json");

        Assert.Equal(1, far.ExitCode);
        Assert.Equal("", far.Stdout);
        Assert.Contains($"lamassuops: InstanceUnreachable: far: No PowerShell remoting session to operator@127.0.0.1:{port}: ssh could not log in: ", far.Stderr);
        Assert.Equal(before, File.ReadAllBytes(fleet.SampleBunker));
        Assert.Equal(files, Directory.GetFiles(Path.GetDirectoryName(fleet.SampleBunker)!)); // no backup taken here either
    }

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on.</summary>
    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public void GetLamassuOpsHealthRefusesAPortOutsideTcpsRangeForThatInstance()
    {
        var result = CliProcess.Run("Get-LamassuOpsHealth", "--instance", "far", "--host", "127.0.0.1", "--port", "70000", "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("lamassuops: PortOutOfRange: The instance 'far' has the port 70000, which is no TCP port.", result.Stderr);
        Assert.Contains("1 to 65535", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public void GetLamassuOpsInstanceReadsTheInventoryFileAndNeedsOneWithoutASession()
    {
        var fleet = FleetFixture.Create(_dir);

        var tagged = CliProcess.Run("Get-LamassuOpsInstance", "--inventory", fleet.Inventory, "--tag", "atm", "--json");
        var none = CliProcess.Run("Get-LamassuOpsInstance", "--json");

        Assert.True(tagged.ExitCode == 0, tagged.Stderr);
        Assert.Equal(["healthy", "corrupt"], tagged.JsonLines.Select(l => l.GetProperty("Name").GetString()));
        Assert.Equal(fleet.HealthyBunker, tagged.JsonLines[0].GetProperty("BunkerDatabase").GetString());
        Assert.Equal(1, none.ExitCode);
        Assert.StartsWith("lamassuops: InventoryNotImported: ", none.Stderr);
        Assert.Contains("--inventory fleet.json", none.Stderr);
    }

    [Fact]
    public void ImportLamassuOpsInventoryChecksAFileAndNamesTheBadLine()
    {
        var fleet = FleetFixture.Create(_dir);
        var bad = _dir.File("bad.json");
        File.WriteAllText(bad, "{ \"instances\": [\n  { \"name\": \"a\" },\n  { \"name\": \"b\", \"prot\": 22 }\n] }");

        var good = CliProcess.Run("Import-LamassuOpsInventory", fleet.Inventory, "--pass-thru", "--json");
        var refused = CliProcess.Run("Import-LamassuOpsInventory", bad, "--pass-thru", "--json");

        Assert.True(good.ExitCode == 0, good.Stderr);
        Assert.Equal(4, good.JsonLines.Count);
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("", refused.Stdout);
        Assert.StartsWith($"lamassuops: InventoryEntryInvalid: {bad} line 3: the instance 'b' has the unknown key 'prot'", refused.Stderr);
        Assert.DoesNotContain("   at ", refused.Stderr);
    }

    [Fact]
    public void EveryOutputCarriesTheInstanceItRanForInJson()
    {
        var fleet = FleetFixture.Create(_dir);

        var stamped = CliProcess.Run("Get-BunkerPairing", fleet.SampleBunker, "--instance", "sample", "--json");
        var plain = CliProcess.Run("Get-BunkerPairing", fleet.SampleBunker, "--json");

        Assert.True(stamped.ExitCode == 0, stamped.Stderr);
        Assert.NotEmpty(stamped.JsonLines);
        Assert.All(stamped.JsonLines, l => Assert.Equal("sample", l.GetProperty("Instance").GetString()));
        Assert.Equal(plain.JsonLines.Count, stamped.JsonLines.Count);
        Assert.All(plain.JsonLines, l => Assert.False(l.TryGetProperty("Instance", out _)));
    }
}
