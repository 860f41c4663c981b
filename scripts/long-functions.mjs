// Lists functions in src/ longer than a limit (default 80 lines): `node scripts/long-functions.mjs [limit]`.
// Exits 1 when there is one, so CI can hold the line. Generated data is not a function, so not counted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const limit = Number(process.argv[2] ?? 80);
const files = fs
  .readdirSync('src', { recursive: true })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => path.join('src', f));
const long = [];
for (const file of files) {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.end).line;
      const lines = end - start + 1;
      const name =
        node.name?.getText() ??
        (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText() : '(anonymous)');
      if (lines > limit) long.push({ file, line: start + 1, name, lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
long.sort((a, b) => b.lines - a.lines);
for (const f of long) console.log(`${String(f.lines).padStart(4)}  ${f.file}:${f.line}  ${f.name}`);
console.log(`${long.length} function${long.length === 1 ? '' : 's'} over ${limit} lines in src/`);
process.exit(long.length ? 1 : 0);
