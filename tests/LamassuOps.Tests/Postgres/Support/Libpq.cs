using System.Runtime.InteropServices;

namespace LamassuOps.Tests.Postgres.Support;

/// <summary>libpq's own connection-string parser (PQconninfoParse from libpq.so.5, what psql uses), called directly.</summary>
public static class Libpq
{
    [StructLayout(LayoutKind.Sequential)]
    private struct ConninfoOption
    {
        public IntPtr Keyword;
        public IntPtr EnvironmentVariable;
        public IntPtr Compiled;
        public IntPtr Value;
        public IntPtr Label;
        public IntPtr DisplayCharacter;
        public int DisplaySize;
    }

    [DllImport("libpq.so.5")]
    private static extern IntPtr PQconninfoParse([MarshalAs(UnmanagedType.LPUTF8Str)] string conninfo, out IntPtr errorMessage);

    [DllImport("libpq.so.5")]
    private static extern void PQconninfoFree(IntPtr options);

    [DllImport("libpq.so.5")]
    private static extern void PQfreemem(IntPtr memory);

    /// <summary>The keywords libpq read from <paramref name="conninfo"/> (only those it gave), or libpq's error.</summary>
    public static (IReadOnlyDictionary<string, string>? Values, string? Error) Parse(string conninfo)
    {
        var options = PQconninfoParse(conninfo, out var error);
        if (options == IntPtr.Zero)
        {
            var message = error == IntPtr.Zero ? "out of memory" : Marshal.PtrToStringUTF8(error)!.Trim();
            if (error != IntPtr.Zero) PQfreemem(error);
            return (null, message);
        }
        try
        {
            var values = new Dictionary<string, string>();
            var size = Marshal.SizeOf<ConninfoOption>();
            for (var entry = options; ; entry += size)
            {
                var option = Marshal.PtrToStructure<ConninfoOption>(entry);
                if (option.Keyword == IntPtr.Zero) break;
                if (option.Value != IntPtr.Zero)
                    values[Marshal.PtrToStringUTF8(option.Keyword)!] = Marshal.PtrToStringUTF8(option.Value)!;
            }
            return (values, null);
        }
        finally
        {
            PQconninfoFree(options);
        }
    }
}
