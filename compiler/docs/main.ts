import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { checksMarkdown, diagnosticsMarkdown, optionsMarkdown } from './generate.js';

writeFileSync(join(packageRoot, 'docs', 'diagnostics.md'), diagnosticsMarkdown());
writeFileSync(join(packageRoot, 'docs', 'checks.md'), checksMarkdown());
writeFileSync(join(packageRoot, 'docs', 'options.md'), optionsMarkdown());
