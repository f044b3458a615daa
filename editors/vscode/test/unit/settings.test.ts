import assert from 'node:assert/strict';
import { test } from 'node:test';

import { controllerLabel, loopSwitch } from '../../src/loops';
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

test('a controller whose loop differs from the live host says the host was replaced', () => {
  const running = { loop: 'trio', state: 'idle' } as HostStatus;
  assert.equal(loopSwitch('trio', running), undefined);
  assert.equal(loopSwitch('asyncio', undefined), undefined);
  assert.equal(loopSwitch('asyncio', { loop: 'trio', state: 'none' } as HostStatus), undefined);
  const message = loopSwitch('asyncio', running);
  assert.ok(message?.includes(controllerLabel('asyncio')));
  assert.ok(message?.includes('trio host was replaced'));
});
