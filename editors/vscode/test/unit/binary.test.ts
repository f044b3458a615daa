import assert from 'node:assert/strict';
import { test } from 'node:test';

import { type Found, type Inputs, INSTALL_HINT, locate } from '../../src/binary';

const EXT = '/home/u/.vscode/extensions/asyncell.asyncell-0.1.0-linux-x64';
const BUNDLED = `${EXT}/bin/asyncell`;
const VENV_PYTHON = '/ws/.venv/bin/python';
const VENV_ASYNCELL = '/ws/.venv/bin/asyncell';
const ON_PATH = '/home/u/.local/bin/asyncell';

const base: Inputs = {
  trusted: true,
  extensionDir: EXT,
  envPath: '/usr/bin:/home/u/.local/bin',
  python: { interpreter: VENV_PYTHON, selectedBy: 'python.defaultInterpreterPath' },
};

/** locate() against a file system holding exactly `files`. */
function run(files: string[], changes: Partial<Inputs> = {}) {
  const present = new Set(files);
  return locate({ ...base, ...changes }, (file) => present.has(file));
}

function found(result: ReturnType<typeof locate>): Found {
  assert.ok(result.ok, `expected a binary, got: ${result.ok ? '' : result.message}`);
  return result;
}

test('the asyncell.path setting comes first', () => {
  const result = found(run(['/opt/asyncell', VENV_ASYNCELL, BUNDLED, ON_PATH], { setting: '/opt/asyncell' }));
  assert.equal(result.path, '/opt/asyncell');
  assert.equal(result.source, 'setting');
});

test('a setting pointing at nothing is an error naming it, not a silent fallback', () => {
  const result = run([VENV_ASYNCELL, BUNDLED, ON_PATH], { setting: '/nope/asyncell' });
  assert.equal(result.ok, false);
  assert.ok(!result.ok && result.message.includes('/nope/asyncell'));
  assert.ok(!result.ok && result.message.includes('clear it'));
  assert.ok(!result.ok && result.message.includes('pip install asyncell'));
});

test('then asyncell beside the selected Python interpreter, in a trusted workspace', () => {
  const result = found(run([VENV_ASYNCELL, BUNDLED, ON_PATH]));
  assert.equal(result.path, VENV_ASYNCELL);
  assert.equal(result.source, 'python');
  assert.ok(result.how.includes(VENV_PYTHON), result.how);
  assert.ok(result.how.includes('python.defaultInterpreterPath'), result.how);
});

test('an untrusted workspace never runs the asyncell of its environment', () => {
  const result = found(run([VENV_ASYNCELL, BUNDLED, ON_PATH], { trusted: false }));
  assert.equal(result.path, BUNDLED);
  assert.deepEqual(result.skipped, [
    `${VENV_ASYNCELL} (python.defaultInterpreterPath): not used because the workspace is not trusted ` +
      '(trust it to use that binary, or set `asyncell.path` in your user settings)',
  ]);
});

test('then the bundled binary, saying what was passed over', () => {
  const result = found(run([BUNDLED, ON_PATH]));
  assert.equal(result.path, BUNDLED);
  assert.equal(result.source, 'bundled');
  assert.equal(result.how, 'bundled with the extension');
  assert.equal(result.skipped.length, 1);
  assert.ok(result.skipped[0].includes(VENV_ASYNCELL) && result.skipped[0].includes('pip install asyncell'), result.skipped[0]);
});

test('then PATH (a development .vsix bundles nothing)', () => {
  const result = found(run([ON_PATH]));
  assert.equal(result.path, ON_PATH);
  assert.equal(result.source, 'path');
  assert.ok(result.skipped.some((s) => s.includes(BUNDLED)));
});

test('a bare interpreter name (the setting default "python") names no environment', () => {
  const result = found(run([ON_PATH, '/usr/bin/asyncell'], { python: { interpreter: 'python', selectedBy: 'python.defaultInterpreterPath' } }));
  assert.equal(result.path, '/usr/bin/asyncell');
  assert.ok(result.skipped[0].includes('a command, not an environment'), result.skipped[0]);
});

test('nothing found: the message names every candidate and how to install', () => {
  const result = run([], { python: undefined });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.ok(result.message.includes('none is selected'), result.message);
  assert.ok(result.message.includes(BUNDLED), result.message);
  assert.ok(result.message.includes('/usr/bin:/home/u/.local/bin'), result.message);
  assert.ok(result.message.endsWith(INSTALL_HINT));
  for (const way of ['pip install asyncell', 'pip install .', 'uv tool install asyncell', 'pipx install asyncell', 'cargo install --locked --path server', 'asyncell.path']) {
    assert.ok(INSTALL_HINT.includes(way), way);
  }
});
