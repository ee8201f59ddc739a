namespace LamassuOps.Core;

/// <summary>How secrets (tokens, nsecs, passwords) appear in output, logs and messages.</summary>
public static class Secret
{
    private const int VisiblePrefix = 4;

    /// <summary>
    /// Keeps the first four characters so an operator can tell two tokens apart, hides the rest
    /// and its length. Short values are hidden entirely.
    /// </summary>
    public static string? Mask(string? value)
    {
        if (value is null) return null;
        if (value.Length <= VisiblePrefix * 2) return "****";
        return value[..VisiblePrefix] + "…****";
    }

    /// <summary>
    /// Hides a password (or any secret typed by a person) entirely: a prefix that tells two random tokens apart
    /// would narrow a guess at a chosen password.
    /// </summary>
    public static string? MaskPassword(string? value) => value is null ? null : "****";
}
