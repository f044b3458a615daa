import assert from 'node:assert/strict';
import { test } from 'node:test';

import { controllerLabel, loopMismatch } from '../../src/loops';
import type { HostStatus } from '../../src/protocol';
import { expandPath, serverPayload, serverSettings, userValue } from '../../src/settings';

test('only settings the user set are forwarded', () => {
  assert.deepEqual(serverSettings(() => undefined), {});
  const set: Record<string, unknown> = { loop: 'trio', target: 'ipython', python: ' /venv/bin/python ' };
  assert.deepEqual(serverSettings((k) => set[k]), { loop: 'trio', target: 'ipython', python: '/venv/bin/python' });
  assert.deepEqual(serverSettings((k) => ({ python: ['ssh', 'box', 'python3'] })[k]), { python: ['ssh', 'box', 'python3'] });
  assert.deepEqual(serverSettings((k) => ({ loop: 'uvloop', python: '' })[k]), {});
  assert.deepEqual(serverSettings((k) => ({ targetVersion: 'py312' })[k]), { targetVersion: 'py312' });
  assert.deepEqual(serverSettings((k) => ({ targetVersion: 'py39' })[k]), {});
});

test('the server is told whether the workspace is trusted', () => {
  assert.deepEqual(serverPayload({ loop: 'trio' }, true), { asyncell: { loop: 'trio' }, trustedWorkspace: true });
  assert.deepEqual(serverPayload({}, false), { asyncell: {}, trustedWorkspace: false });
});

test('an untrusted workspace cannot choose the interpreter through its own settings', () => {
  const scopes = { globalValue: '/home/u/venv/bin/python', workspaceValue: '/ws/evil' };
  assert.equal(userValue('python', scopes, false), '/home/u/venv/bin/python');
  assert.equal(userValue('python', { workspaceValue: '/ws/evil' }, false), undefined);
  assert.equal(userValue('python', scopes, true), '/ws/evil');
  assert.equal(userValue('loop', { globalValue: 'trio', workspaceValue: 'asyncio' }, false), 'asyncio');
});

test('paths expand ~ and ${workspaceFolder}', () => {
  assert.equal(expandPath('~/bin/asyncell', '/home/u', undefined), '/home/u/bin/asyncell');
  assert.equal(expandPath('${workspaceFolder}/target/debug/asyncell', '/h', '/ws'), '/ws/target/debug/asyncell');
});

test('a controller whose loop differs from the notebook loop explains how to fix it', () => {
  const status = { loop: 'trio', state: 'none' } as HostStatus;
  assert.equal(loopMismatch('trio', status), undefined);
  assert.equal(loopMismatch('asyncio', undefined), undefined);
  const message = loopMismatch('asyncio', status);
  assert.ok(message?.includes(controllerLabel('trio')));
  assert.ok(message?.includes('%autoawait asyncio'));
});
