// Parses PowerShell files with tree-sitter's PowerShell grammar and reports syntax errors with file:line:column.
// No pwsh can run on the project's machines, so this is how build.ps1 and the Pester suite are checked there.
// Usage: node tests/pester/syntax/check.cjs FILE.ps1...   (exit 1 when any file has a syntax error)
// V8 otherwise recompiles the 1 MB grammar with its optimising tier in the background and holds the exit for it
// (10 s of CPU for a 0.2 s parse).
require('v8').setFlagsFromString('--liftoff-only');
const { Parser, Language } = require('web-tree-sitter');
const fs = require('fs');

(async () => {
  await Parser.init();
  const language = await Language.load(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
  const parser = new Parser();
  parser.setLanguage(language);
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    const errors = [];
    // hasError marks every ancestor of an ERROR or MISSING node: descend only there (visiting every node is slow).
    const walk = node => {
      if (node.type === 'ERROR' || node.isMissing) errors.push(node);
      else for (const child of node.children) if (child.hasError) walk(child);
    };
    const root = parser.parse(fs.readFileSync(file, 'utf8')).rootNode;
    if (root.hasError) walk(root);
    for (const error of errors) {
      const what = error.isMissing ? `missing ${error.type}` : 'syntax error';
      console.log(`${file}:${error.startPosition.row + 1}:${error.startPosition.column + 1}: ${what} near: ${error.text.slice(0, 60).replace(/\s+/g, ' ')}`);
    }
    problems += errors.length;
  }
  process.exit(problems > 0 ? 1 : 0);
})();
