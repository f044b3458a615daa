// package.sh refuses what would make a broken .vsix, saying what is wrong and what to do.
// Each case fails before anything is built or packaged.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../package.sh');
const dir = mkdtempSync(path.join(tmpdir(), 'asyncell-package-sh.'));

function packageSh(...args) {
  const run = spawnSync(SCRIPT, args, { encoding: 'utf8' });
  return { status: run.status, stderr: run.stderr };
}

/** A file with the first bytes of an ELF executable for `machine` (e_machine). */
function fakeElf(name, machine) {
  const header = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(header);
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(machine, 18);
  const file = path.join(dir, name);
  writeFileSync(file, header);
  chmodSync(file, 0o755);
  return file;
}

test('an unknown or unsupported target is refused, listing the supported ones', () => {
  for (const [target, why] of [['linux-x65', /unknown target 'linux-x65'/], ['win32-x64', /Linux and macOS only/], ['web', /cannot start a binary/]]) {
    const run = packageSh('--target', target, '--binary', '/bin/true');
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, why);
    assert.match(run.stderr, /linux-x64 linux-arm64/);
  }
  assert.match(packageSh('--binary', '/bin/true').stderr, /--target is required/);
});

test('a missing, non-executable or non-file binary is refused, naming it', () => {
  let run = packageSh('--target', 'linux-x64');
  assert.equal(run.status, 2);
  assert.match(run.stderr, /--binary is required/);
  run = packageSh('--target', 'linux-x64', '--binary', path.join(dir, 'nope'));
  assert.match(run.stderr, /nope: no such file .*cargo build --release --locked/);
  const plain = path.join(dir, 'plain');
  writeFileSync(plain, 'not a program');
  run = packageSh('--target', 'linux-x64', '--binary', plain);
  assert.match(run.stderr, /plain: not executable \(chmod \+x/);
  run = packageSh('--target', 'linux-x64', '--binary', dir);
  assert.match(run.stderr, /not a regular file/);
});

test('a binary for another architecture is refused, naming both', () => {
  const arm = fakeElf('asyncell-aarch64', 0xb7);
  let run = packageSh('--target', 'linux-x64', '--binary', arm);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /is ELF aarch64, but target linux-x64 needs ELF x86-64/);
  run = packageSh('--target', 'darwin-arm64', '--binary', arm);
  assert.match(run.stderr, /needs Mach-O arm64/);
  const script = path.join(dir, 'script');
  writeFileSync(script, '#!/bin/sh\necho asyncell 0.1.0\n');
  chmodSync(script, 0o755);
  assert.match(packageSh('--target', 'linux-x64', '--binary', script).stderr, /is unknown format/);
});

test('a binary of another version is refused when it can run here', { skip: process.platform !== 'linux' || process.arch !== 'x64' }, () => {
  // /bin/true runs and answers --version, but not as asyncell of the extension's version.
  const run = packageSh('--target', 'linux-x64', '--binary', '/bin/true');
  assert.equal(run.status, 2);
  assert.match(run.stderr, /says '[^']*', but the extension is version \d+\.\d+\.\d+/);
});
