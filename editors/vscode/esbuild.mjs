// Bundles the extension (src/extension.ts -> dist/extension.js, `vscode` external), or
// with --tests the unit tests (test/unit/*.test.ts -> out/test/*.test.js) for node --test.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'fs';

const tests = process.argv.includes('--tests');
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning' };

if (tests) {
  rmSync('out/test', { recursive: true, force: true });
  const entryPoints = readdirSync('test/unit')
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => `test/unit/${name}`);
  await build({ ...common, entryPoints, outdir: 'out/test' });
} else {
  await build({
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    minify: process.argv.includes('--minify'),
  });
}
