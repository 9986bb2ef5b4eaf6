import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packageRoot } from '../paths.js';
import { checksMarkdown, diagnosticsMarkdown, generatedSchemaDocs, optionsMarkdown } from './generate.js';

const docs = join(packageRoot, 'docs');
writeFileSync(join(docs, 'diagnostics.md'), diagnosticsMarkdown());
writeFileSync(join(docs, 'checks.md'), checksMarkdown());
writeFileSync(join(docs, 'options.md'), optionsMarkdown());
const files = generatedSchemaDocs();
// Generated folders hold only generated files: a binding that is gone loses its pages.
for (const dir of ['bindings', 'schemas/bindings']) {
  const abs = join(docs, dir);
  mkdirSync(abs, { recursive: true });
  for (const f of readdirSync(abs)) if (!files.has(`${dir}/${f}`)) rmSync(join(abs, f));
}
for (const [path, text] of files) {
  mkdirSync(dirname(join(docs, path)), { recursive: true });
  writeFileSync(join(docs, path), text);
}
