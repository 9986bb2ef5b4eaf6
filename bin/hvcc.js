#!/usr/bin/env node
// The CLI runs from one bundled file (npm run build writes it with esbuild): loading it is a fraction of
// loading the compiler's modules one by one.
import { main } from '../dist/hvcc.mjs';

process.exitCode = await main(process.argv.slice(2));
