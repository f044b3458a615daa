import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { HostStatus } from '../../src/protocol';
import { statusView } from '../../src/statusText';

const base: HostStatus = {
  state: 'idle',
  loop: 'trio',
  python: '/venv/bin/python',
  pythonVersion: '3.11.7 (main)',
  pid: 42,
  executionCount: 2,
  executionId: null,
  queued: 0,
  tasks: [
    { id: 't1', name: 'heartbeat', state: 'running', startedBy: 'x', startedAt: 0 },
    { id: 't2', name: 'old', state: 'done' },
  ],
  lastExit: null,
};

test('idle shows the loop and the running task count', () => {
  const view = statusView(base, undefined, 0);
  assert.equal(view.text, '$(pass-filled) trio: idle · 1 task');
  assert.match(view.tooltip, /pid 42/);
  assert.equal(view.ticking, false);
});

test('busy shows the elapsed time and queue, and ticks', () => {
  const view = statusView({ ...base, state: 'busy', executionId: 'e1', queued: 2 }, 1000, 4500);
  assert.equal(view.text, '$(sync~spin) trio: busy 3.5 s (+2 queued) · 1 task');
  assert.equal(view.ticking, true);
});

test('starting, dead and not started', () => {
  assert.equal(statusView({ ...base, state: 'starting', tasks: [] }, undefined, 0).text, '$(loading~spin) trio: starting');
  const dead = statusView({ ...base, state: 'dead', loop: 'asyncio', tasks: [] }, undefined, 0);
  assert.equal(dead.text, '$(error) asyncio: dead');
  assert.equal(dead.warning, true);
  assert.equal(statusView({ ...base, state: 'none', tasks: [] }, undefined, 0).text, '$(circle-outline) trio: not started');
  assert.equal(statusView(undefined, undefined, 0).text, '$(circle-outline) asyncell');
});

test("the client's own run shows busy before the server's status says so", async () => {
  const { withLocalRun } = await import('../../src/statusText');
  const idle = { ...base, state: 'idle' as const };
  assert.equal(withLocalRun(idle, undefined), idle);
  const busy = withLocalRun(idle, { executionId: 'vscode-1' });
  assert.equal(busy?.state, 'busy');
  assert.equal(busy?.executionId, 'vscode-1');
  assert.equal(statusView(busy, 1000, 1500).text, '$(sync~spin) trio: busy 500 ms · 1 task');
  // A not-yet-started or dead host is busy too (the run starts a fresh one).
  assert.equal(withLocalRun({ ...base, state: 'none' }, { executionId: 'x' })?.state, 'busy');
  assert.equal(withLocalRun({ ...base, state: 'dead' }, { executionId: 'x' })?.state, 'busy');
  assert.equal(withLocalRun({ ...base, state: 'dead' }, undefined)?.state, 'dead');
  assert.equal(withLocalRun(undefined, { executionId: 'x' }), undefined);
  // Its reply came: idle before the server's next answer says so (unless more is queued).
  const running = { ...base, state: 'busy' as const, executionId: 'vscode-1' };
  assert.equal(withLocalRun(running, undefined, (id) => id === 'vscode-1')?.state, 'idle');
  assert.equal(withLocalRun(running, undefined, () => false)?.state, 'busy');
  assert.equal(withLocalRun({ ...running, queued: 1 }, undefined, () => true)?.state, 'busy');
});
