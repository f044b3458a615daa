import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Variable } from '../../src/protocol';
import { variableRow, variablesMessage } from '../../src/variableRow';

test('a variable row shows its type, size and repr', () => {
  const beats: Variable = { name: 'beats', type: 'list', size: 'len 12', repr: '[1.0,\n 2.0]', kind: 'value' };
  const row = variableRow(beats);
  assert.equal(row.label, 'beats');
  assert.equal(row.description, 'list · len 12 = [1.0, 2.0]');
  assert.equal(row.tooltip, 'beats: list · len 12\n[1.0,\n 2.0]');
  assert.equal(row.icon, 'symbol-variable');
  const task = variableRow({ name: 't', type: 'Task', repr: 'x'.repeat(150), kind: 'task' });
  assert.equal(task.icon, 'pulse');
  assert.ok(task.description.endsWith('…'));
  assert.ok(task.description.length < 100);
});

test('the view says why it is empty', () => {
  assert.match(variablesMessage(undefined, undefined) ?? '', /run a cell/);
  assert.equal(variablesMessage(undefined, 'no host is running'), 'no host is running');
  assert.equal(variablesMessage({ offset: 0, total: 0, variables: [] }, undefined), 'No variables yet.');
  const one: Variable = { name: 'a', type: 'int', repr: '1', kind: 'value' };
  assert.equal(variablesMessage({ offset: 0, total: 1, variables: [one] }, undefined), undefined);
  assert.match(variablesMessage({ offset: 0, total: 700, variables: [one] }, undefined) ?? '', /first 1 of 700/);
});
