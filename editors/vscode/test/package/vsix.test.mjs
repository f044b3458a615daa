// What the .vsix files hold, read from the zips as VS Code's installer reads them.
//
//   ASYNCELL_BIN       the binary that was (or is to be) bundled
//   ASYNCELL_VSIX      the platform .vsix package.sh made from it (test/run.sh passes it);
//                      unset: this test runs package.sh itself
//   ASYNCELL_DEV_VSIX  the development .vsix from `npm run vsix` (unset: built here)

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { readZip } from './zip.mjs';

const EXT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VERSION = JSON.parse(readFileSync(path.join(EXT, 'package.json'), 'utf8')).version;
const TARGET = process.env.ASYNCELL_VSIX_TARGET ?? `linux-${process.arch}`;
const BINARY = process.env.ASYNCELL_BIN;

/** What the extension needs at run time, and nothing else: no sources, tests, maps or node_modules. */
const EXTENSION_FILES = [
  '[Content_Types].xml',
  'extension.vsixmanifest',
  'extension/dist/extension.js',
  'extension/images/cells.png',
  'extension/images/notebook.png',
  'extension/images/variables.png',
  'extension/package.json',
  'extension/readme.md',
];

function platformVsix() {
  if (process.env.ASYNCELL_VSIX) return process.env.ASYNCELL_VSIX;
  assert.ok(BINARY, 'set ASYNCELL_BIN (the asyncell binary to bundle) or ASYNCELL_VSIX');
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'asyncell-vsix-test.')), `asyncell-${VERSION}-${TARGET}.vsix`);
  execFileSync(path.join(EXT, 'package.sh'), ['--target', TARGET, '--binary', BINARY, '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  return out;
}

function devVsix() {
  if (process.env.ASYNCELL_DEV_VSIX) return process.env.ASYNCELL_DEV_VSIX;
  execFileSync('npm', ['run', 'vsix'], { cwd: EXT, stdio: ['ignore', 'ignore', 'inherit'] });
  return path.join(EXT, 'asyncell.vsix');
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

test('the platform .vsix bundles the binary at bin/asyncell, executable', () => {
  assert.ok(BINARY, 'ASYNCELL_BIN is not set');
  const vsix = platformVsix();
  assert.ok(path.basename(vsix).endsWith(`-${TARGET}.vsix`), `${vsix} does not name its target ${TARGET}`);
  const entries = readZip(vsix);
  const bundled = entries.find((entry) => entry.name === 'extension/bin/asyncell');
  assert.ok(bundled, `no extension/bin/asyncell in ${vsix}: ${entries.map((e) => e.name).join(', ')}`);
  assert.equal((bundled.mode & 0o170000).toString(8), '100000', 'bin/asyncell is not a regular file in the zip');
  assert.equal((bundled.mode & 0o777).toString(8), '755', 'bin/asyncell lost its executable bits');
  const data = bundled.data();
  assert.equal(data.length, statSync(BINARY).size, 'bin/asyncell is not the size of the binary');
  assert.equal(sha256(data), sha256(readFileSync(BINARY)), 'bin/asyncell is not the binary that was packaged');
});

test('the platform .vsix holds only what runs, and says its target platform', () => {
  const vsix = platformVsix();
  const entries = readZip(vsix);
  assert.deepEqual(entries.map((e) => e.name).sort(), [...EXTENSION_FILES, 'extension/bin/asyncell'].sort());
  const manifest = entries.find((e) => e.name === 'extension.vsixmanifest').data().toString('utf8');
  assert.match(manifest, new RegExp(`TargetPlatform="${TARGET}"`));
  assert.match(manifest, new RegExp(`Version="${VERSION.replace(/\./g, '\\.')}"`));
});

test('the development .vsix (npm run vsix) bundles no binary and targets every platform', () => {
  const entries = readZip(devVsix());
  assert.deepEqual(entries.map((e) => e.name).sort(), EXTENSION_FILES);
  const manifest = entries.find((e) => e.name === 'extension.vsixmanifest').data().toString('utf8');
  assert.doesNotMatch(manifest, /TargetPlatform=/);
});
