using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LamassuOps.Cli;

/// <summary>Writes command results: one JSON object per line, or readable tables and lists.</summary>
public abstract class OutputWriter
{
    public abstract void Write(object result);

    /// <summary>A result the cmdlet stamped with the instance it came from (an Instance note property); tables show the view's columns only.</summary>
    public virtual void Write(object result, string? instance) => Write(result);

    public virtual void Flush()
    {
    }

    /// <param name="evaluate">Runs a view's script block over an object; without it such a line shows the property of its label.</param>
    public static OutputWriter Create(bool json, TextWriter stdout, IReadOnlyDictionary<string, FormatView> views,
        Func<string, object, object?>? evaluate = null) =>
        json ? new JsonLinesWriter(stdout) : new TextTableWriter(stdout, views, evaluate);
}

/// <summary>
/// JSON Lines with the cmdlet output objects' own property names; enums as names, dates as ISO 8601. Each object is
/// serialized as UTF-8 into one reused buffer; into a UTF-8 stream (stdout redirected) the bytes go out in blocks,
/// never as a string per row, so a million rows cost no more than their bytes.
/// </summary>
/// <remarks>
/// Into a redirected stdout the objects are serialized on a thread of their own: on a million rows the JSON (and the
/// evidence sentences it reads) takes about as long as reading and classifying them, so the command's thread goes on
/// with the next rows on the second core. They are handed over <see cref="BatchSize"/> at a time (one hand-over per
/// result costs more than it saves), at most <see cref="QueuedBatches"/> batches wait, so memory stays flat, and the
/// lines keep their order. A terminal or any other writer gets each line as it comes, on the command's thread.
/// </remarks>
public sealed class JsonLinesWriter : OutputWriter
{
    private const int BlockSize = 1 << 16;
    private const int BatchSize = 64;
    private const int QueuedBatches = 2;

    public static readonly JsonSerializerOptions Options = new()
    {
        Converters = { new JsonStringEnumConverter() },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly TextWriter _stdout;
    private readonly Stream? _bytes;
    private readonly ArrayBufferWriter<byte> _buffer = new(BlockSize);
    private readonly Utf8JsonWriter _json;
    private List<(object Result, string? Instance)> _batch = new(BatchSize);
    private BlockingCollection<List<(object Result, string? Instance)>>? _queue;
    private Thread? _serializer;
    private volatile ExceptionDispatchInfo? _failure;

    public JsonLinesWriter(TextWriter stdout)
    {
        _stdout = stdout;
        // The text writer's own stream takes the bytes unchanged only when it encodes UTF-8 without a preamble.
        _bytes = stdout is StreamWriter { Encoding: UTF8Encoding utf8 } writer && utf8.Preamble.Length == 0 ? writer.BaseStream : null;
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = Options.Encoder, SkipValidation = true });
    }

    public override void Write(object result) => Write(result, null);

    /// <summary>The stamped instance is one more property, "Instance", as in pwsh's ConvertTo-Json of the same object.</summary>
    public override void Write(object result, string? instance)
    {
        if (_bytes is null)
        {
            WriteLine(result, instance);
            WriteBuffer();
            return;
        }
        _failure?.Throw(); // stdout that could not be written fails each write, as it does on a terminal
        _batch.Add((result, instance));
        if (_batch.Count == BatchSize) HandOver();
    }

    /// <summary>Every result written so far is on stdout; once stdout has failed, every flush fails.</summary>
    public override void Flush()
    {
        if (_batch.Count > 0 && _failure is null) HandOver();
        if (_queue is not null)
        {
            _queue.CompleteAdding();
            _serializer!.Join();
            (_queue, _serializer) = (null, null);
        }
        _failure?.Throw();
        WriteBuffer();
    }

    private void HandOver()
    {
        if (_queue is null)
        {
            _queue = new BlockingCollection<List<(object, string?)>>(QueuedBatches);
            _serializer = new Thread(Serialize) { IsBackground = true, Name = "lamassuops JSON lines" };
            _serializer.Start(_queue);
        }
        try
        {
            _queue.Add(_batch);
        }
        catch (InvalidOperationException) when (_failure is not null)
        {
            _failure.Throw(); // the serializer stopped while this batch waited for room
        }
        _batch = new List<(object, string?)>(BatchSize);
    }

    private void Serialize(object? queue)
    {
        var batches = (BlockingCollection<List<(object Result, string? Instance)>>)queue!;
        try
        {
            foreach (var batch in batches.GetConsumingEnumerable())
            foreach (var (result, instance) in batch)
            {
                WriteLine(result, instance);
                if (_buffer.WrittenCount >= BlockSize) WriteBuffer();
            }
            WriteBuffer();
        }
        catch (Exception e)
        {
            _buffer.ResetWrittenCount();
            _failure = ExceptionDispatchInfo.Capture(e);
            batches.CompleteAdding();
        }
    }

    private void WriteLine(object result, string? instance)
    {
        if (instance is not null && JsonSerializer.SerializeToNode(result, result.GetType(), Options) is System.Text.Json.Nodes.JsonObject stamped)
        {
            stamped["Instance"] = instance;
            stamped.WriteTo(_json, Options);
            _json.Flush();
        }
        else JsonSerializer.Serialize(_json, result, result.GetType(), Options);
        _json.Reset();
        _buffer.Write("\n"u8);
    }

    private void WriteBuffer()
    {
        if (_buffer.WrittenCount == 0) return;
        if (_bytes is not null)
        {
            _stdout.Flush(); // anything written as text before goes first
            _bytes.Write(_buffer.WrittenSpan);
        }
        else _stdout.Write(Encoding.UTF8.GetString(_buffer.WrittenSpan));
        _buffer.ResetWrittenCount();
    }
}

/// <summary>
/// Tables (or, for wide objects and list views, "Name : Value" blocks) like PowerShell's default formatting.
/// Column widths come from the first rows of a run of same-typed objects, so output still streams.
/// </summary>
public sealed class TextTableWriter(TextWriter stdout, IReadOnlyDictionary<string, FormatView> views,
    Func<string, object, object?>? evaluate = null) : OutputWriter
{
    /// <summary>A column or list line: its header and how its value is read from an object.</summary>
    private sealed record Column(string Header, Func<object, object?> Value);

    private const int RowsToMeasure = 200;
    private const int MaxColumnWidth = 64;

    /// <summary>The width the module's views are made for (and PowerShell's for output that is not a console).</summary>
    public const int LineWidth = 120;

    private const int NarrowestColumn = 8;
    private const int MaxTableProperties = 4;
    private readonly List<object> _pending = [];

    /// <summary>The type name of the run of same-typed objects being written (a remote result's is its original type's), and its layout.</summary>
    private string? _currentShape;
    private (bool IsList, IReadOnlyList<Column> Properties) _layout;
    private int[]? _widths;

    public override void Write(object result)
    {
        if (IsSimple(result.GetType()))
        {
            Flush(); // a plain value (Test-PeerAuth -Quiet's True or False) is a line of its own, as in PowerShell
            stdout.WriteLine(FormatValue(result));
            return;
        }
        if (Shape(result) != _currentShape)
        {
            Flush();
            _currentShape = Shape(result);
            _layout = Layout(result);
        }
        var (isList, properties) = _layout;
        if (isList)
        {
            WriteList(result, properties, "");
            return;
        }
        if (_widths is not null)
        {
            WriteRow(Cells(result, properties));
            return;
        }
        _pending.Add(result);
        if (_pending.Count >= RowsToMeasure) WritePendingTable(properties);
    }

    public override void Flush()
    {
        if (_pending.Count > 0) WritePendingTable(_layout.Properties);
        _widths = null;
        _currentShape = null;
    }

    private static string Shape(object result) => result is RemoteResult remote ? remote.TypeName : result.GetType().FullName!;

    /// <summary>The view of the object's type, or all its properties; a remote result's are read from its property values.</summary>
    private (bool IsList, IReadOnlyList<Column> Properties) Layout(object sample)
    {
        var all = sample is RemoteResult remote
            ? remote.Properties.Keys.Select(name => new Column(name, target => ((RemoteResult)target).Properties.GetValueOrDefault(name))).ToList()
            : sample.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => new Column(p.Name, p.GetValue)).ToList();
        Column? Property(string header, string? name) => all.FirstOrDefault(p => p.Header == name) is { } property ? property with { Header = header } : null;
        if (!views.TryGetValue(Shape(sample), out var view)) return (all.Count > MaxTableProperties, all);
        var columns = view.Items.Select(item => item.Script is { } script && evaluate is not null
                ? new Column(item.Label, target => evaluate(script, target is RemoteResult r ? r.Source : target))
                : Property(item.Label, item.PropertyName ?? item.Label))
            .OfType<Column>()
            .ToList();
        return (view.IsList, columns);
    }

    private void WritePendingTable(IReadOnlyList<Column> properties)
    {
        var rows = _pending.Select(r => Cells(r, properties)).ToList();
        _widths = FitToLine(properties.Select((p, i) => Math.Min(MaxColumnWidth, rows.Select(r => r[i].Length).Append(p.Header.Length).Max())).ToArray());
        stdout.WriteLine();
        WriteRow(properties.Select(p => p.Header).ToArray());
        WriteRow(_widths.Select(w => new string('-', w)).ToArray());
        foreach (var row in rows) WriteRow(row);
        _pending.Clear();
    }

    /// <summary>Narrows the widest columns, one character at a time, until a row fits <see cref="LineWidth"/>.</summary>
    private static int[] FitToLine(int[] widths)
    {
        while (widths.Sum() + widths.Length - 1 > LineWidth && widths.Max() > NarrowestColumn)
            widths[Array.IndexOf(widths, widths.Max())]--;
        return widths;
    }

    private void WriteRow(string[] cells)
    {
        var padded = cells.Select((cell, i) => Fit(cell, _widths![i]));
        stdout.WriteLine(string.Join(" ", padded).TrimEnd());
    }

    private static string Fit(string cell, int width) =>
        cell.Length <= width ? cell.PadRight(width) : cell[..(width - 1)] + "…";

    private void WriteList(object result, IReadOnlyList<Column> properties, string indent)
    {
        stdout.WriteLine();
        var nameWidth = properties.Count == 0 ? 0 : properties.Max(p => p.Header.Length);
        var nested = new List<(string Name, IList Items)>();
        foreach (var property in properties)
        {
            var value = property.Value(result);
            if (value is IList { Count: > 0 } items && items[0] is { } first && !IsSimple(first.GetType()))
            {
                nested.Add((property.Header, items));
                continue;
            }
            // A script block's lines (one per item) stay lines, under the value's column.
            var valueWidth = Math.Max(NarrowestColumn, LineWidth - indent.Length - nameWidth - 3);
            var lines = (value is string text ? text.ReplaceLineEndings("\n").Split('\n') : [FormatValue(value)])
                .SelectMany(line => line.Chunk(valueWidth).Select(chunk => new string(chunk)).DefaultIfEmpty(""))
                .ToList();
            stdout.WriteLine($"{indent}{property.Header.PadRight(nameWidth)} : {lines[0]}".TrimEnd());
            foreach (var line in lines.Skip(1)) stdout.WriteLine($"{indent}{new string(' ', nameWidth + 3)}{line}".TrimEnd());
        }
        foreach (var (name, items) in nested)
        {
            stdout.WriteLine();
            stdout.WriteLine($"{indent}{name}:");
            var inner = new TextTableWriter(new IndentedWriter(stdout, indent + "  "), views, evaluate);
            foreach (var item in items) inner.Write(item!);
            inner.Flush();
        }
    }

    private static string[] Cells(object result, IReadOnlyList<Column> properties) =>
        properties.Select(p => FormatValue(p.Value(result))).ToArray();

    internal static string FormatValue(object? value) => value switch
    {
        null => "",
        string s => s.ReplaceLineEndings(" "),
        DateTimeOffset d => d.Offset == TimeSpan.Zero
            ? d.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : d.ToString("yyyy-MM-dd HH:mm:sszzz", CultureInfo.InvariantCulture),
        DateTime d => d.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items => "{" + string.Join(", ", items.Cast<object?>().Select(FormatValue)) + "}",
        _ => value.ToString() ?? "",
    };

    private static bool IsSimple(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(Guid);

    /// <summary>Prefixes every line, for tables nested under a list entry.</summary>
    private sealed class IndentedWriter(TextWriter inner, string indent) : TextWriter
    {
        public override System.Text.Encoding Encoding => inner.Encoding;

        public override void WriteLine(string? value) => inner.WriteLine(string.IsNullOrEmpty(value) ? "" : indent + value);

        public override void Write(char value) => inner.Write(value);
    }
}
