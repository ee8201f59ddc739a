using System.Text;

namespace LamassuOps.Cli;

/// <summary>
/// The command line as the kernel passed it. .NET decodes argv as UTF-8 and replaces bytes that are not UTF-8 with
/// U+FFFD, so a path or value with such bytes would silently name something else; /proc/self/cmdline still has them.
/// </summary>
internal static class RawArguments
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The index (among the last <paramref name="count"/> words, the program's own arguments) of the first that is not valid UTF-8.</summary>
    public static int? FirstNotUtf8(int count)
    {
        if (count == 0 || !OperatingSystem.IsLinux()) return null;
        byte[] raw;
        try
        {
            raw = File.ReadAllBytes("/proc/self/cmdline");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        var words = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != 0) continue;
            words.Add(raw[start..i]);
            start = i + 1;
        }
        if (words.Count < count) return null;
        var ours = words[^count..];
        for (var i = 0; i < ours.Count; i++)
        {
            try
            {
                Strict.GetString(ours[i]);
            }
            catch (DecoderFallbackException)
            {
                return i;
            }
        }
        return null;
    }
}
