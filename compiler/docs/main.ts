import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { diagnosticsMarkdown } from './generate.js';

writeFileSync(join(packageRoot, 'docs', 'diagnostics.md'), diagnosticsMarkdown());
