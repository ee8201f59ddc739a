using System.Collections;
using System.Management.Automation;

namespace LamassuOps.Fleet;

/// <summary>
/// -SshOption takes a hashtable, as Invoke-Command -Options does (@{ StrictHostKeyChecking = 'yes' }), or ssh -o's
/// "Name=Value" strings, which is what a shell can give lamassuops (--ssh-option StrictHostKeyChecking=yes).
/// </summary>
internal sealed class SshOptionTransformation : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is IDictionary) return value;
        var options = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var item in value is IEnumerable and not string ? ((IEnumerable)value).Cast<object>() : [value])
        {
            var text = (item is PSObject inner ? inner.BaseObject : item)?.ToString() ?? "";
            var equals = text.IndexOf('=');
            if (equals <= 0)
                throw new ArgumentTransformationMetadataException(
                    $"'{text}' is no SSH option: give Name=Value, as ssh -o takes it (StrictHostKeyChecking=yes), or a hashtable (@{{ StrictHostKeyChecking = 'yes' }}).");
            options[text[..equals].Trim()] = text[(equals + 1)..].Trim();
        }
        return options;
    }
}
