using LamassuOps.Cli;
using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Metadata;

/// <summary>The metadata rules themselves, on sample cmdlets that follow or break each convention.</summary>
public sealed class CmdletRulesTests
{
    private static CommandDefinition Describe<T>() => CommandCatalog.Describe(typeof(T));

    [Fact]
    public void WellFormedSamplesPassEveryRuleButTheModuleOnlyOnes()
    {
        foreach (var definition in new[] { Describe<GetSampleItemCommand>(), Describe<RemoveSampleItemCommand>(), Describe<SetSampleModeCommand>() })
        {
            var violations = CmdletRules.Violations(definition).ToList();

            // The samples live in the test assembly: no product prefix, output types outside Core. Nothing else.
            Assert.Equal(
                [$"noun '{definition.Noun}' has none of the prefixes Bunker, Lamassu, Postgres, PeerAuth, Lnbits",
                 "[OutputType] LamassuOps.Tests.Fixtures.SampleItem is not a LamassuOps.Core result type"],
                violations);
        }
    }

    [Fact]
    public void NamingRulesCatchVerbNounAndClass()
    {
        var fetch = Describe<FetchThingsCommand>();

        Assert.Equal(["verb 'Fetch' is not an approved verb (Get-Verb); Import-Module would warn"], CmdletRules.ApprovedVerb(fetch));
        Assert.Equal(["noun 'Things' has none of the prefixes Bunker, Lamassu, Postgres, PeerAuth, Lnbits", "noun 'Things' looks plural; PowerShell nouns are singular"],
            CmdletRules.PrefixedSingularNoun(fetch));
        Assert.Equal(["class FetchThingsCommand is not sealed"], CmdletRules.SealedLamassuCmdlet(fetch));
        Assert.Equal(["no [OutputType]"], CmdletRules.OutputTypesFromCore(fetch));
        Assert.Equal(["no parameter takes ValueFromPipelineByPropertyName, so no other cmdlet's output can feed it"], CmdletRules.BindsByPropertyName(fetch));
        Assert.Equal(["class MakeLamassuThing should be named NewLamassuThingCommand"], CmdletRules.SealedLamassuCmdlet(Describe<MakeLamassuThing>()));
    }

    [Theory]
    [InlineData("BunkerPairing")]
    [InlineData("LamassuMigrationStatus")]
    [InlineData("LamassuPeerAuthReadiness")]
    [InlineData("PeerAuth")]
    [InlineData("StaleSigningCondition")]
    public void SingularNounsEndingInSAreNotPlural(string noun)
    {
        var definition = Describe<GetSampleItemCommand>() with { Noun = noun };

        Assert.Empty(CmdletRules.PrefixedSingularNoun(definition));
    }

    [Fact]
    public void TestCmdletsWithQuietMayAlsoReturnABoolean()
    {
        var test = Describe<TestLamassuThingCommand>();

        Assert.Empty(CmdletRules.OutputTypesFromCore(test));
        Assert.True(CmdletRules.IsQuietVerdict(test, typeof(bool)));
        Assert.False(CmdletRules.IsQuietVerdict(Describe<FetchThingsCommand>(), typeof(bool)));
    }

    [Fact]
    public void StateChangesNeedShouldProcessAndDestructionNeedsConfirmImpactHighAndForce()
    {
        Assert.Equal(["'New' changes state: declare SupportsShouldProcess = true so -WhatIf and -Confirm work"],
            CmdletRules.ShouldProcessForStateChanges(Describe<MakeLamassuThing>()));
        Assert.Equal(
            ["'Remove' destroys data: ConfirmImpact must be High, not Medium",
             "'Remove' destroys data: it needs a -Force switch (skips the prompt, never -WhatIf)"],
            CmdletRules.ConfirmAndForceForDestruction(Describe<RemoveBunkerThingCommand>()));
        Assert.Empty(CmdletRules.ConfirmAndForceForDestruction(Describe<RemoveSampleItemCommand>()));
        Assert.Empty(CmdletRules.ShouldProcessForStateChanges(Describe<SetSampleModeCommand>()));
    }

    [Fact]
    public void PathConventionsAreCheckedParameterByParameter()
    {
        Assert.Equal(["-Path and -LiteralPath come together"], CmdletRules.PathConventions(Describe<RemoveBunkerThingCommand>()));
        Assert.Equal(
            ["-Path must be Mandatory in set Path",
             "-Path must be Position = 0",
             "-Path must take ValueFromPipeline",
             "-Path needs [SupportsWildcards]",
             "-LiteralPath must not take ValueFromPipeline",
             "-LiteralPath must not have [SupportsWildcards]",
             "-LiteralPath needs [Alias(\"PSPath\", \"LP\")] (PSPath is how Get-ChildItem output binds)",
             "DefaultParameterSetName must be \"Path\""],
            CmdletRules.PathConventions(Describe<GetBunkerThingCommand>()));
        Assert.Empty(CmdletRules.PathConventions(Describe<GetSampleItemCommand>()));
    }

    [Fact]
    public void OutputMustBeRemotingFriendlyAndCarryPathForBunkerCmdlets()
    {
        var remove = Describe<RemoveBunkerThingCommand>();

        Assert.Equal(
            ["output property WrongSampleOutput.Details is a Dictionary`2; keep output to primitives, strings, dates, enums, lists of them and sealed Core result classes",
             "output property WrongSampleOutput.Streams is a IReadOnlyList`1; keep output to primitives, strings, dates, enums, lists of them and sealed Core result classes"],
            CmdletRules.RemotingFriendlyOutput(remove));
        Assert.Equal(["output LamassuOps.Tests.Metadata.WrongSampleOutput has no string Path property, so `Remove-BunkerThing | Remove-...` cannot bind the database"],
            CmdletRules.OutputCarriesPath(remove));
        Assert.Empty(CmdletRules.RemotingFriendlyOutput(Describe<GetSampleItemCommand>()));
        Assert.Empty(CmdletRules.OutputCarriesPath(Describe<GetBunkerThingCommand>()));
    }

    [Fact]
    public void PipelineBindingByPropertyNameFollowsParameterSets()
    {
        Assert.True(CmdletRules.BindsByPropertyName(typeof(SampleItem), Describe<RemoveSampleItemCommand>()));
        Assert.False(CmdletRules.BindsByPropertyName(typeof(SampleItem), Describe<SetSampleModeCommand>()),
            "SampleItem has Name but no Mode, and -Mode is mandatory without pipeline input");
        Assert.False(CmdletRules.BindsByPropertyName(typeof(WrongSampleOutput), Describe<RemoveSampleItemCommand>()));
        Assert.True(CmdletRules.BindsByPropertyName(typeof(SampleItem), Describe<SetSampleModeCommand>(), new HashSet<string> { "Mode" }),
            "-Mode is typed on the command line, and Name binds from the object");
        Assert.False(CmdletRules.BindsByPropertyName(typeof(WrongSampleOutput), Describe<RemoveSampleItemCommand>(), new HashSet<string> { "Mode" }));
    }
}
