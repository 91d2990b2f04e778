// Regenerates docs/checks.md from the catalogue (run `npm run build` first).
import { writeFileSync } from 'node:fs';
import { renderChecksMarkdown } from '../dist/src/cli/explain.js';

writeFileSync(new URL('../docs/checks.md', import.meta.url), renderChecksMarkdown());
