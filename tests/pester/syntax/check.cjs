// Parses PowerShell files with tree-sitter's PowerShell grammar and reports syntax errors with file:line:column.
// No pwsh can run on the project's machines, so this is how build.ps1 and the Pester suite are checked there.
// Usage: node tests/pester/syntax/check.cjs FILE.ps1...   (exit 1 when any file has a syntax error)
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
    const walk = node => {
      if (node.type === 'ERROR' || node.isMissing) errors.push(node);
      for (const child of node.children) walk(child);
    };
    walk(parser.parse(fs.readFileSync(file, 'utf8')).rootNode);
    for (const error of errors) {
      const what = error.isMissing ? `missing ${error.type}` : 'syntax error';
      console.log(`${file}:${error.startPosition.row + 1}:${error.startPosition.column + 1}: ${what} near: ${error.text.slice(0, 60).replace(/\s+/g, ' ')}`);
    }
    problems += errors.length;
  }
  process.exit(problems > 0 ? 1 : 0);
})();
