import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Found } from '../../src/binary';
import { describeServer, VersionCheck, versionMismatch } from '../../src/version';

const bundled: Found = { ok: true, path: '/ext/bin/asyncell', source: 'bundled', how: 'bundled with the extension', skipped: [] };
const fromPython: Found = {
  ok: true,
  path: '/ws/.venv/bin/asyncell',
  source: 'python',
  how: 'from the selected Python environment (python.defaultInterpreterPath: /ws/.venv/bin/python)',
  skipped: [],
};
const fromPath: Found = { ok: true, path: '/home/u/.cargo/bin/asyncell', source: 'path', how: 'from PATH', skipped: [] };

test('matching versions: no warning', () => {
  assert.equal(versionMismatch('0.1.0', '0.1.0', bundled), undefined);
});

test('a mismatch names both versions, the binary, how it was found and a fix', () => {
  const message = versionMismatch('0.2.0', '0.1.0', fromPython);
  assert.ok(message);
  for (const part of ['0.2.0', '0.1.0', '/ws/.venv/bin/asyncell', 'selected Python environment', 'pip install asyncell==0.2.0']) {
    assert.ok(message.includes(part), `${part} missing from: ${message}`);
  }
  assert.ok(versionMismatch('0.2.0', '0.1.0', fromPath)?.includes('uv tool install asyncell==0.2.0'));
  assert.ok(versionMismatch('0.2.0', '0.1.0', { ...bundled, source: 'setting', how: 'from the asyncell.path setting' })?.includes('`asyncell.path`'));
});

test('a server that reports no version is a mismatch too', () => {
  assert.ok(versionMismatch('0.1.0', undefined, bundled)?.includes('did not report its version'));
});

test('one warning per session, however often the server restarts', () => {
  const check = new VersionCheck('0.2.0');
  assert.equal(check.afterStart('0.2.0', bundled), undefined);
  assert.ok(check.afterStart('0.1.0', fromPath));
  assert.equal(check.afterStart('0.1.0', fromPath), undefined);
  assert.equal(check.afterStart('0.0.9', fromPython), undefined);
});

test('Show Server Binary names the path, where it came from and both versions', () => {
  assert.equal(
    describeServer(bundled, '0.1.0', '0.1.0'),
    'asyncell: the language server is /ext/bin/asyncell (bundled with the extension), version 0.1.0; the extension is version 0.1.0.',
  );
});
