using System.Text.Json;
using LamassuOps.Cli;
using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Cli;

/// <summary>lamassuops output: JSON lines, tables and lists, and the Format.ps1xml views that shape them.</summary>
public sealed class OutputTests
{
    private sealed record Pair(string Name, int Count);

    private sealed record Holder(string Path, IReadOnlyList<Pair> Pairs, IReadOnlyList<string> Tags, bool Ok, string? Missing);

    private static readonly SampleItem Item = new()
    {
        Path = "/var/lib/nsecbunkerd/nsecbunker.db",
        Name = "alice",
        State = SampleState.Expired,
        CreatedAt = new DateTimeOffset(2026, 6, 19, 12, 58, 47, TimeSpan.Zero),
        Tags = ["lnbits", "live"],
    };

    private static readonly Dictionary<string, FormatView> NoViews = [];

    private static string Write(IReadOnlyDictionary<string, FormatView> views, params object[] results)
    {
        var stdout = new StringWriter();
        var writer = new TextTableWriter(stdout, views);
        foreach (var result in results) writer.Write(result);
        writer.Flush();
        return stdout.ToString().ReplaceLineEndings("\n");
    }

    [Fact]
    public void JsonLinesKeepPropertyNamesWithEnumsAsNamesAndDatesAsIso8601()
    {
        var stdout = new StringWriter();
        var writer = OutputWriter.Create(json: true, stdout, NoViews);

        writer.Write(Item);
        writer.Write(new Pair("x", 2));
        writer.Flush();

        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("""{"Path":"/var/lib/nsecbunkerd/nsecbunker.db","Name":"alice","State":"Expired","CreatedAt":"2026-06-19T12:58:47+00:00","Tags":["lnbits","live"]}""", lines[0]);
        Assert.Equal("x", JsonDocument.Parse(lines[1]).RootElement.GetProperty("Name").GetString());
    }

    /// <summary>What an object is after PowerShell remoting: serialised by PowerShell (to the depth types/LamassuOps.Types.ps1xml gives the module's types), deserialised, remoting's properties added.</summary>
    private static object AfterRemoting(object original, int depth = 2)
    {
        var deserialised = (System.Management.Automation.PSObject)System.Management.Automation.PSSerializer.Deserialize(
            System.Management.Automation.PSSerializer.Serialize(original, depth));
        deserialised.Properties.Add(new System.Management.Automation.PSNoteProperty("PSComputerName", "node1"));
        return RemoteResult.Of(deserialised);
    }

    private static string JsonLine(object result)
    {
        var stdout = new StringWriter();
        var writer = OutputWriter.Create(json: true, stdout, NoViews);
        writer.Write(result);
        writer.Flush();
        return stdout.ToString();
    }

    [Fact]
    public void AResultBackFromRemotingIsWrittenAsTheOriginalObject()
    {
        var holder = new Holder("/x", [new Pair("x", 2), new Pair("y", 3)], ["a"], true, null);
        var view = new Dictionary<string, FormatView> { [typeof(SampleItem).FullName!] = new(typeof(SampleItem).FullName!, false, ["Name", "State", "CreatedAt"]) };

        var remoteItem = AfterRemoting(Item);

        Assert.IsType<RemoteResult>(remoteItem);
        Assert.Equal(JsonLine(Item), JsonLine(remoteItem)); // the enum's name, the moment with its offset, no PSComputerName
        Assert.Equal(JsonLine(holder), JsonLine(AfterRemoting(holder)));
        Assert.Equal(Write(view, Item, Item), Write(view, remoteItem, AfterRemoting(Item)));
        Assert.Equal(Write(NoViews, holder), Write(NoViews, AfterRemoting(holder)));
    }

    [Fact]
    public void JsonLinesIntoARedirectedStdoutAreTheSameBytesAsTheTextWriterGets()
    {
        // Enough rows to cross the writer's 64 KiB blocks, with text that is not ASCII.
        var results = Enumerable.Range(0, 2000).Select(i => (object)new Pair($"Zürich ⚡ {i}", i)).Prepend(Item).ToList();
        var text = new StringWriter();
        var bytes = new MemoryStream();
        var redirected = new StreamWriter(bytes, new System.Text.UTF8Encoding(false), 1 << 16);
        foreach (var stdout in new TextWriter[] { text, redirected })
        {
            var writer = OutputWriter.Create(json: true, stdout, NoViews);
            foreach (var result in results) writer.Write(result);
            writer.Flush();
            stdout.Flush();
        }

        var written = System.Text.Encoding.UTF8.GetString(bytes.ToArray());
        Assert.Equal(text.ToString().ReplaceLineEndings("\n"), written);
        Assert.Equal(results.Count, written.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal("Zürich ⚡ 1999", JsonDocument.Parse(written.Split('\n')[^2]).RootElement.GetProperty("Name").GetString());
    }

    [Fact]
    public void JsonLinesIntoARedirectedStdoutAreAllOutInOrderAfterEachFlush()
    {
        var bytes = new MemoryStream();
        var redirected = new StreamWriter(bytes, new System.Text.UTF8Encoding(false), 1 << 16);
        var writer = OutputWriter.Create(json: true, redirected, NoViews);
        var counts = new List<int>();

        // Fewer results than a batch, then many batches, then one: each Flush puts out all written before it.
        foreach (var (from, count) in new[] { (0, 3), (3, 5000), (5003, 1) })
        {
            foreach (var i in Enumerable.Range(from, count)) writer.Write(new Pair("n", i));
            writer.Flush();
            counts.Add(System.Text.Encoding.UTF8.GetString(bytes.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }

        Assert.Equal([3, 5003, 5004], counts);
        var written = System.Text.Encoding.UTF8.GetString(bytes.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, 5004), written.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("Count").GetInt32()));
    }

    /// <summary>A stream that fails every write, as stdout on a full disk does.</summary>
    private sealed class FullDisk : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException("No space left on device");

        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("No space left on device");
    }

    [Theory]
    [InlineData(10)]
    [InlineData(20000)]
    public void JsonLinesIntoAStdoutThatCannotBeWrittenFailWithTheIoErrorOnTheWritersThread(int results)
    {
        var writer = OutputWriter.Create(json: true, new StreamWriter(new FullDisk(), new System.Text.UTF8Encoding(false), 1 << 16), NoViews);
        var thread = Environment.CurrentManagedThreadId;
        int? failedOn = null;

        var failure = Assert.Throws<IOException>(() =>
        {
            try
            {
                foreach (var i in Enumerable.Range(0, results)) writer.Write(new Pair("n", i));
                writer.Flush();
            }
            finally
            {
                failedOn = Environment.CurrentManagedThreadId;
            }
        });

        Assert.Equal("No space left on device", failure.Message);
        Assert.Equal(thread, failedOn);
        Assert.Throws<IOException>(writer.Flush); // and again, not a hang, when the command's end flushes
    }

    [Fact]
    public void SmallObjectsAreATableSizedByTheirValues()
    {
        var text = Write(NoViews, new Pair("a", 1), new Pair("longer name", 22));

        Assert.Equal("\nName        Count\n----------- -----\na           1\nlonger name 22\n", text);
    }

    [Fact]
    public void WideObjectsWithoutAViewAreLists()
    {
        var text = Write(NoViews, Item);

        Assert.Equal(
            "\nPath      : /var/lib/nsecbunkerd/nsecbunker.db\nName      : alice\nState     : Expired\nCreatedAt : 2026-06-19 12:58:47Z\nTags      : {lnbits, live}\n",
            text);
    }

    [Fact]
    public void ATableViewChoosesAndOrdersTheColumns()
    {
        var views = new Dictionary<string, FormatView> { [typeof(SampleItem).FullName!] = new(typeof(SampleItem).FullName!, false, ["State", "Name", "NoSuchProperty"]) };

        var text = Write(views, Item, new SampleItem { Path = Item.Path, Name = "bob", State = SampleState.Live });

        Assert.Equal("\nState   Name\n------- -----\nExpired alice\nLive    bob\n", text);
    }

    [Fact]
    public void ListsShowNestedObjectListsAsIndentedTables()
    {
        var holder = new Holder("/db", [new Pair("a", 1), new Pair("bb", 2)], ["t"], true, null);

        var text = Write(NoViews, holder);

        Assert.Equal("\nPath    : /db\nTags    : {t}\nOk      : True\nMissing :\n\nPairs:\n\n  Name Count\n  ---- -----\n  a    1\n  bb   2\n", text);
    }

    [Fact]
    public void ANewTypeStartsANewTable()
    {
        var text = Write(NoViews, new Pair("a", 1), new Holder("/db", [], [], false, null), new Pair("b", 2));

        Assert.Equal(2, text.Split("Name Count").Length - 1);
    }

    [Fact]
    public void LongCellsAreCutAtSixtyFourCharacters()
    {
        var text = Write(NoViews, new Pair(new string('x', 100), 1));

        var row = text.Split('\n')[3];
        Assert.Equal(new string('x', 63) + "… 1", row);
    }

    [Fact]
    public void RowsStreamAfterTheFirstTwoHundredWithTheirColumnWidths()
    {
        var rows = Enumerable.Range(0, 201).Select(i => (object)new Pair(i == 200 ? "much longer than the rest" : "n", i)).ToArray();

        var lines = Write(NoViews, rows).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("Name Count", lines[0]);
        Assert.Equal(203, lines.Length);
        Assert.Equal("muc… 200", lines[^1]);
    }

    [Fact]
    public void FormatViewsAreReadFromFormatPs1xmlFiles()
    {
        var directory = Directory.CreateTempSubdirectory("lamassuops-formats-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "Sample.Format.ps1xml"), """
                <?xml version="1.0" encoding="utf-8"?>
                <Configuration>
                  <ViewDefinitions>
                    <View>
                      <Name>Table</Name>
                      <ViewSelectedBy><TypeName>Sample.Item</TypeName></ViewSelectedBy>
                      <TableControl>
                        <TableHeaders><TableColumnHeader /><TableColumnHeader><Label>Key</Label></TableColumnHeader></TableHeaders>
                        <TableRowEntries><TableRowEntry><TableColumnItems>
                          <TableColumnItem><PropertyName>Path</PropertyName></TableColumnItem>
                          <TableColumnItem><PropertyName>KeyName</PropertyName></TableColumnItem>
                        </TableColumnItems></TableRowEntry></TableRowEntries>
                      </TableControl>
                    </View>
                    <View>
                      <Name>Second view of the same type</Name>
                      <ViewSelectedBy><TypeName>Sample.Item</TypeName></ViewSelectedBy>
                      <ListControl><ListEntries><ListEntry><ListItems><ListItem><PropertyName>Other</PropertyName></ListItem></ListItems></ListEntry></ListEntries></ListControl>
                    </View>
                    <View>
                      <Name>List</Name>
                      <ViewSelectedBy><TypeName>Sample.Report</TypeName></ViewSelectedBy>
                      <ListControl><ListEntries><ListEntry><ListItems>
                        <ListItem><PropertyName>Finding</PropertyName></ListItem>
                        <ListItem><PropertyName>Passed</PropertyName></ListItem>
                      </ListItems></ListEntry></ListEntries></ListControl>
                    </View>
                    <View>
                      <Name>Script only</Name>
                      <ViewSelectedBy><TypeName>Sample.Scripted</TypeName></ViewSelectedBy>
                      <TableControl><TableRowEntries><TableRowEntry><TableColumnItems>
                        <TableColumnItem><ScriptBlock>$_.Name</ScriptBlock></TableColumnItem>
                      </TableColumnItems></TableRowEntry></TableRowEntries></TableControl>
                    </View>
                  </ViewDefinitions>
                </Configuration>
                """);

            var views = FormatViews.LoadDirectory(directory.FullName);

            Assert.Equal(["Sample.Item", "Sample.Report"], views.Keys.Order(StringComparer.Ordinal));
            Assert.False(views["Sample.Item"].IsList);
            Assert.Equal(["Path", "KeyName"], views["Sample.Item"].Properties);
            Assert.True(views["Sample.Report"].IsList);
            Assert.Equal(["Finding", "Passed"], views["Sample.Report"].Properties);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void AMissingFormatsDirectoryMeansNoViews() =>
        Assert.Empty(FormatViews.LoadDirectory(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))));

    [Fact]
    public void TheModulesOwnViewsLoad()
    {
        var views = FormatViews.LoadDirectory(RepositoryPaths.Combine("formats"));

        Assert.NotEmpty(views);
        Assert.All(views.Values, view => Assert.NotEmpty(view.Properties));
    }
}

/// <summary>lamassuops tables and lists keep to the width the views are made for, as PowerShell's do.</summary>
public sealed class OutputWidthTests
{
    private sealed record Wide(string First, string Second, string Third);

    private sealed record Long(string Name, string Text);

    [Fact]
    public void TablesAndListsFitOneHundredAndTwentyColumns()
    {
        var stdout = new StringWriter();
        var writer = new TextTableWriter(stdout, new Dictionary<string, FormatView>());
        writer.Write(new Wide(new string('a', 60), new string('b', 60), new string('c', 60)));
        writer.Flush();
        var table = stdout.ToString();
        stdout.GetStringBuilder().Clear();
        new TextTableWriter(stdout, new Dictionary<string, FormatView> { [typeof(Long).FullName!] = new(typeof(Long).FullName!, true, ["Name", "Text"]) })
            .Write(new Long("x", new string('y', 300)));

        Assert.All(table.Split('\n'), line => Assert.True(line.Length <= TextTableWriter.LineWidth, line));
        Assert.Contains("First", table);
        Assert.Contains("Third", table);
        var list = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(list, line => Assert.True(line.Length <= TextTableWriter.LineWidth, line));
        Assert.Equal(300, string.Concat(list.Select(l => l.Split(':').Last().Trim())).Count(c => c == 'y'));
    }
}
