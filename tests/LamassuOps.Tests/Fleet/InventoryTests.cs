using LamassuOps.Core;
using LamassuOps.Core.Fleet;
using LamassuOps.Tests.Fixtures.Bunker;

namespace LamassuOps.Tests.Fleet;

/// <summary>The inventory file: the issue's JSON shape, every key but name optional, and bad entries refused whole with the line named.</summary>
public sealed class InventoryTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string json, string name = "fleet.json")
    {
        var path = _dir.File(name);
        File.WriteAllText(path, json);
        return path;
    }

    private LamassuOpsException Refused(string json)
    {
        var path = Write(json);
        var before = File.ReadAllBytes(path);
        var error = Assert.Throws<LamassuOpsException>(() => Inventory.ReadJson(path));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.EnumerateFileSystemEntries(_dir.Path));
        Assert.NotNull(error.RecommendedAction);
        return error;
    }

    [Fact]
    public void TheIssuesShapeReadsEveryKeyAndOnlyNameIsNeeded()
    {
        var path = Write("""
            {
              "instances": [
                { "name": "atm-1", "host": "node1.example", "user": "operator", "port": 22, "bunkerDatabase": "/var/lib/nsecbunkerd/nsecbunker.db",
                  "lnbitsDatabase": "/var/lib/lnbits/database.sqlite3", "lamassuDatabaseUrl": "postgresql://lamassu-server@/lamassu?host=/run/postgresql",
                  "lamassuPackage": "/nix/store/abc-lamassu-server", "tags": ["eu"] },
                { "Name": "atm-2" },
                { "name": "local", "bunkerDatabase": "bunker/nsecbunker.db", "lnbitsDatabase": "postgres://lnbits@/lnbits?host=/run/postgresql", },
              ],
            }
            """);

        var instances = Inventory.ReadJson(path);

        Assert.Equal(["atm-1", "atm-2", "local"], instances.Select(i => i.Name));
        var remote = instances[0];
        Assert.Equal(("node1.example", "operator", 22, false), (remote.Host, remote.User, remote.Port, remote.IsLocal));
        Assert.Equal("/var/lib/nsecbunkerd/nsecbunker.db", remote.BunkerDatabase);
        Assert.Equal("/var/lib/lnbits/database.sqlite3", remote.LnbitsDatabase);
        Assert.Equal("postgresql://lamassu-server@/lamassu?host=/run/postgresql", remote.LamassuDatabaseUrl);
        Assert.Equal("/nix/store/abc-lamassu-server", remote.LamassuPackage);
        Assert.Equal(["eu"], remote.Tags);
        Assert.Equal("atm-1", remote.Instance);
        var bare = instances[1];
        Assert.Equal((null, null, null, null, true), (bare.Host, bare.User, bare.Port, bare.BunkerDatabase, bare.IsLocal));
        Assert.Empty(bare.Tags);
        // A local instance's relative path is relative to the inventory; a URL stays a URL.
        Assert.Equal(_dir.File("bunker", "nsecbunker.db"), instances[2].BunkerDatabase);
        Assert.Equal("postgres://lnbits@/lnbits?host=/run/postgresql", instances[2].LnbitsDatabase);
    }

    [Theory]
    [InlineData("{ \"instances\": [\n  { \"name\": \"a\" },\n  { \"name\": \"b\", \"bunkerDB\": \"/x\" }\n] }", "line 3", "unknown key 'bunkerDB'")]
    [InlineData("{ \"instances\": [\n  { \"name\": \"a\" },\n  { \"host\": \"h\" }\n] }", "line 3", "has no 'name'")]
    [InlineData("{ \"instances\": [\n  { \"name\": \"a\",\n    \"port\": \"ssh\" }\n] }", "line 3", "'a' has the port \"ssh\"")]
    [InlineData("{ \"instances\": [\n  { \"name\": \"a\", \"port\": 70000 }\n] }", "line 2", "has the port 70000")]
    [InlineData("{ \"instances\": [\n  { \"name\": \"a\", \"tags\": [\"eu\", 3] }\n] }", "line 2", "tags that are not all non-empty strings ([\"eu\", 3])")]
    [InlineData("{ \"instances\": [\n  { \"name\": \"a b\" }\n] }", "line 2", "has the name \"a b\"")]
    [InlineData("{ \"instances\": [\n  { \"name\": \"atm-*\" }\n] }", "line 2", "wildcard characters")]
    [InlineData("{ \"instances\": [\n  { \"name\": \"a\", \"host\": 5 }\n] }", "line 2", "'host' that is not a non-empty string (5)")]
    [InlineData("{ \"instances\": [\n  { \"name\": \"a\", \"bunkerDatabase\": \"/srv/[a]/nsecbunker.db\" }\n] }", "line 2", "'bunkerDatabase' with wildcard characters")]
    public void ABadEntryIsRefusedWithItsLineAndKeyAndNothingIsImported(string json, string line, string message)
    {
        var error = Refused(json);

        Assert.Equal(Inventory.EntryInvalid, error.ErrorId);
        Assert.Contains($"fleet.json {line}:", error.Message);
        Assert.Contains(message, error.Message);
        Assert.EndsWith("nothing was imported.", error.Message);
    }

    [Fact]
    public void ANameUsedTwiceNamesBothLines()
    {
        var error = Refused("{ \"instances\": [\n  { \"name\": \"atm-1\" },\n  { \"name\": \"ATM-1\" }\n] }");

        Assert.Equal(Inventory.DuplicateName, error.ErrorId);
        Assert.Contains("line 3: the instance name 'ATM-1' is already used on line 2", error.Message);
    }

    [Theory]
    [InlineData("{ \"instances\": [\n  { \"name\": \"a\" }\n  { \"name\": \"b\" }\n] }", "line 3", "not valid JSON")]
    [InlineData("", "line 1", "not valid JSON")]
    [InlineData("[]", "line 1", "does not start with an object")]
    [InlineData("{ \"hosts\": [] }", "line 1", "has no 'instances' array")]
    [InlineData("{\n \"instances\": { \"name\": \"a\" } }", "line 2", "'instances' that is not an array")]
    [InlineData("{ \"instances\": [\n \"atm-1\" ] }", "line 2", "an instance that is not an object")]
    public void AFileThatIsNotTheShapeIsUnreadableAtItsLine(string json, string line, string message)
    {
        var error = Refused(json);

        Assert.Equal(Inventory.Unreadable, error.ErrorId);
        Assert.Contains($"fleet.json {line}:", error.Message);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void AMissingFileOrADirectoryIsRefusedBeforeReading()
    {
        Assert.Equal(Inventory.NotFound, Assert.Throws<LamassuOpsException>(() => Inventory.ReadJson(_dir.File("none.json"))).ErrorId);
        Directory.CreateDirectory(_dir.File("dir.json"));
        Assert.Equal(PathErrors.PathNotRegularFile, Assert.Throws<LamassuOpsException>(() => Inventory.ReadJson(_dir.File("dir.json"))).ErrorId);
    }

    [Fact]
    public void SelectMatchesNamesAndTagsWithWildcardsAndANamedInstanceMustExist()
    {
        var instances = Inventory.ReadJson(Write("""
            { "instances": [ { "name": "atm-1", "tags": ["eu"] }, { "name": "atm-2", "tags": ["us", "atm"] }, { "name": "lab", "tags": ["eu", "test"] } ] }
            """));

        Assert.Equal(["atm-1", "atm-2", "lab"], Inventory.Select(instances, null, null).Select(i => i.Name));
        Assert.Equal(["atm-1", "atm-2"], Inventory.Select(instances, ["ATM-*"], null).Select(i => i.Name));
        Assert.Equal(["atm-1", "lab"], Inventory.Select(instances, null, ["eu"]).Select(i => i.Name));
        Assert.Equal(["lab"], Inventory.Select(instances, ["*"], ["t*"]).Select(i => i.Name));
        Assert.Empty(Inventory.Select(instances, ["x*"], null));
        var error = Assert.Throws<LamassuOpsException>(() => Inventory.Select(instances, ["atm-9"], null).ToList());
        Assert.Equal(Inventory.InstanceNotFound, error.ErrorId);
        Assert.Contains("it has atm-1, atm-2, lab", error.Message);
    }

    [Fact]
    public void TwoFilesCombineAndANameInBothIsRefused()
    {
        var a = Inventory.ReadJson(Write("{ \"instances\": [ { \"name\": \"atm-1\" } ] }", "a.json"));
        var b = Inventory.ReadJson(Write("{ \"instances\": [ { \"name\": \"atm-2\" }, { \"name\": \"atm-1\" } ] }", "b.json"));

        Assert.Equal(["atm-1"], Inventory.Combine([("a.json", a)]).Select(i => i.Name));
        var error = Assert.Throws<LamassuOpsException>(() => Inventory.Combine([("a.json", a), ("b.json", b)]));
        Assert.Equal(Inventory.DuplicateName, error.ErrorId);
        Assert.Contains("'atm-1' is in both a.json and b.json", error.Message);
    }
}
