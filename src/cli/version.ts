import { createRequire } from 'node:module';

// package.json sits two levels above both src/cli (tsx) and dist/src/cli (built).
const require = createRequire(import.meta.url);
function readVersion(): string {
  for (const p of ['../../package.json', '../../../package.json']) {
    try {
      const pkg: unknown = require(p);
      if (pkg && typeof pkg === 'object' && 'name' in pkg && pkg.name === 'milvus-l7-doctor' && 'version' in pkg) return String(pkg.version);
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
}

export const VERSION = readVersion();
