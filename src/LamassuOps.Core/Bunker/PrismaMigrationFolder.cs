using System.Security.Cryptography;

namespace LamassuOps.Core.Bunker;

/// <summary>One migration of a deployment: its folder name and the sha256 of its migration.sql as Prisma computes it.</summary>
public sealed record PrismaMigrationFile(string Name, string ScriptPath, byte[] Script)
{
    /// <summary>
    /// Whether <paramref name="recorded"/> (_prisma_migrations.checksum) is this script's checksum the way Prisma's
    /// migration engine decides it: the sha256 of the file as is, or with its line ends turned to LF or to CRLF (git
    /// may have changed them), in the current zero-padded hex or the old unpadded form of early Prisma versions.
    /// </summary>
    public bool ChecksumMatches(string recorded)
    {
        foreach (var variant in new[] { Script, Replace(Script, "\r\n"u8, "\n"u8), Replace(Script, "\n"u8, "\r\n"u8) })
        {
            var hash = SHA256.HashData(variant);
            if (string.Equals(Convert.ToHexString(hash), recorded, StringComparison.OrdinalIgnoreCase)) return true;
            if (string.Equals(string.Concat(hash.Select(b => b.ToString("x"))), recorded, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    private static byte[] Replace(byte[] bytes, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to)
    {
        // UTF-8 never uses the bytes of CR and LF inside other characters, so replacing bytes is replacing characters.
        var result = new List<byte>(bytes.Length + bytes.Length / 16);
        for (var i = 0; i < bytes.Length;)
        {
            if (bytes.AsSpan(i).StartsWith(from))
            {
                result.AddRange(to);
                i += from.Length;
            }
            else result.Add(bytes[i++]);
        }
        return result.ToArray();
    }
}

/// <summary>A deployment's <c>prisma/migrations</c> folder: <c>&lt;timestamp&gt;_&lt;name&gt;/migration.sql</c> per migration.</summary>
public static class PrismaMigrationFolder
{
    /// <summary>The migrations in <paramref name="directory"/>, by name. Folders without migration.sql are not migrations.</summary>
    public static IReadOnlyList<PrismaMigrationFile> Read(string directory)
    {
        if (!Directory.Exists(directory))
            throw new LamassuOpsException("MigrationsFolderNotFound", FailureKind.ObjectNotFound,
                File.Exists(directory) ? $"'{directory}' is a file, not a migrations folder." : $"No migrations folder at '{directory}'.",
                directory, "Give the deployment's prisma/migrations folder (the one holding <timestamp>_<name>/migration.sql).");
        List<PrismaMigrationFile> migrations;
        try
        {
            migrations = Directory.EnumerateDirectories(directory)
                .Select(folder => (Name: System.IO.Path.GetFileName(folder), Script: System.IO.Path.Combine(folder, "migration.sql")))
                .Where(m => File.Exists(m.Script))
                .OrderBy(m => m.Name, StringComparer.Ordinal)
                .Select(m => new PrismaMigrationFile(m.Name, m.Script, File.ReadAllBytes(m.Script)))
                .ToList();
        }
        catch (UnauthorizedAccessException e)
        {
            throw new LamassuOpsException("MigrationsFolderAccessDenied", FailureKind.PermissionDenied,
                $"Permission denied reading the migrations in '{directory}'.", directory,
                "Run as a user who can read the deployment (or with sudo).", e);
        }
        if (migrations.Count == 0)
        {
            var nested = System.IO.Path.Combine(directory, "migrations");
            throw new LamassuOpsException("MigrationsFolderEmpty", FailureKind.InvalidArgument,
                $"'{directory}' holds no migrations (no <name>/migration.sql).", directory,
                Directory.Exists(nested) ? $"Give '{nested}' instead." : "Give the deployment's prisma/migrations folder.");
        }
        return migrations;
    }
}
