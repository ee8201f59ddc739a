namespace LamassuOps.HelpBuilder;

/// <summary>
/// Builds en-US/LamassuOps.dll-Help.xml from the PlatyPS pages in docs/en-US (see docs/help.md).
/// <c>dotnet run --project tools/LamassuOps.HelpBuilder</c> regenerates it; add <c>-- --check</c> to only report
/// whether the committed file is current (exit 1 when stale).
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        var check = args.Contains("--check");
        var unknown = args.Where(a => a != "--check").ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"usage: {HelpFiles.RegenerateCommand} [-- --check]  (unknown argument '{unknown[0]}')");
            return 2;
        }

        var root = HelpFiles.RepositoryRoot(Environment.CurrentDirectory);
        if (root is null)
        {
            Console.Error.WriteLine("Run this from inside the LamassuOps checkout (no LamassuOps.sln above the current directory).");
            return 2;
        }

        string maml;
        try
        {
            maml = HelpFiles.Generate(HelpFiles.DocsDirectory(root));
        }
        catch (HelpPageException error)
        {
            Console.Error.WriteLine($"Help page problems in {error.Message}");
            return 1;
        }

        var output = HelpFiles.OutputPath(root);
        var relative = Path.GetRelativePath(root, output);
        var current = File.Exists(output) ? File.ReadAllText(output) : null;
        if (current == maml)
        {
            Console.WriteLine($"{relative}: up to date");
            return 0;
        }
        if (check)
        {
            Console.Error.WriteLine($"{relative} is stale; regenerate it with: {HelpFiles.RegenerateCommand}");
            return 1;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        File.WriteAllText(output, maml);
        Console.WriteLine($"{relative}: written");
        return 0;
    }
}
