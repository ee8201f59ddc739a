namespace LamassuOps.Core.Bunker;

/// <summary>
/// One side of a merge join: the rows of a query ordered by a key (a KeyUser id), handed out one key at a time as
/// the other side asks for ascending keys. SQLite sorts each side once (n log n) without needing an index on the
/// key, where a nested-loop join on an unindexed column would rescan it for every row (quadratic); only one key's
/// rows are held at a time.
/// </summary>
internal sealed class KeyedCursor<T> : IDisposable
{
    private readonly IEnumerator<T> _rows;
    private readonly Func<T, long?> _key;
    private bool _hasRow;

    /// <summary>Starts <paramref name="rows"/> at once, so its statement joins the read transaction already open.</summary>
    public KeyedCursor(IEnumerable<T> rows, Func<T, long?> key)
    {
        _rows = rows.GetEnumerator();
        _key = key;
        _hasRow = _rows.MoveNext();
    }

    /// <summary>The rows whose key is <paramref name="key"/>; keys must be asked for in ascending order.</summary>
    public List<T> Take(long key)
    {
        while (_hasRow && _key(_rows.Current) < key) _hasRow = _rows.MoveNext();
        var rows = new List<T>();
        while (_hasRow && _key(_rows.Current) == key)
        {
            rows.Add(_rows.Current);
            _hasRow = _rows.MoveNext();
        }
        return rows;
    }

    public void Dispose() => _rows.Dispose();
}
