// Build step: cuts from @google-cloud/compute's protos.json what the doctor's Compute methods reach
// (src/sources/gcp/protos.ts says why) into dist/src/sources/gcp/compute-protos.json.
import { writeFileSync } from 'node:fs';
import { CUT_FILE, makeCut } from '../dist/src/sources/gcp/protos.js';

const started = Date.now();
const cut = makeCut();
const text = JSON.stringify(cut);
writeFileSync(CUT_FILE, text);
process.stdout.write(`compute-protos: ${cut.methods.length} methods of @google-cloud/compute ${cut.compute}, ${Math.round(text.length / 1024)} KiB, in ${Date.now() - started} ms\n`);
