import assert from 'node:assert/strict';
import { test } from 'node:test';

import { stripAnsi } from '../../src/ansi';
import { duration } from '../../src/format';
import { lastTextLine, summary } from '../../src/summary';

test('durations read naturally', () => {
  assert.equal(duration(12.4), '12 ms');
  assert.equal(duration(1234), '1.2 s');
  assert.equal(duration(125_000), '2 min 5 s');
  assert.equal(duration(120_000), '2 min');
});

test('a successful cell shows its count, time and last text line', () => {
  const text = summary(
    {
      state: 'done',
      status: 'ok',
      executionCount: 3,
      durationMs: 12,
      outputs: [
        { output_type: 'stream', name: 'stdout', text: 'first\nlast line\n' },
        { output_type: 'display_data', data: { 'image/png': 'AAAA', 'text/plain': '<Figure>' } },
      ],
    },
    0,
  );
  assert.equal(text, '✓ [3] 12 ms · 1 image · <Figure>');
});

test('a failed cell shows the exception', () => {
  const text = summary(
    {
      state: 'done',
      status: 'error',
      executionCount: 4,
      outputs: [{ output_type: 'error', ename: 'ZeroDivisionError', evalue: 'division by zero', traceback: [] }],
    },
    0,
  );
  assert.equal(text, '✗ [4] ZeroDivisionError: division by zero');
});

test('a multi-line exception message stays on one line', () => {
  const text = summary(
    {
      state: 'done',
      status: 'error',
      executionCount: 5,
      outputs: [{ output_type: 'error', ename: 'ValueError', evalue: 'first line\n  second line\n', traceback: [] }],
    },
    0,
  );
  assert.equal(text, '✗ [5] ValueError: first line second line');
});

test('interrupted, running and queued cells', () => {
  assert.equal(summary({ state: 'done', status: 'cancelled', durationMs: 1500, outputs: [] }, 0), '■ interrupted after 1.5 s');
  assert.equal(
    summary({ state: 'running', startedAt: 1000, outputs: [{ output_type: 'stream', name: 'stdout', text: 'tick 3\n' }] }, 3500),
    '⏳ running 2.5 s · tick 3',
  );
  assert.equal(summary({ state: 'queued', outputs: [] }, 0), '⧗ queued');
});

test('long summaries are cut and ANSI colour is removed', () => {
  const long = summary({ state: 'done', status: 'ok', outputs: [{ output_type: 'stream', name: 'stdout', text: 'x'.repeat(200) }] }, 0);
  assert.ok(long.length <= 80 && long.endsWith('…'));
  assert.equal(stripAnsi('\u001b[31mred\u001b[0m \u001b]8;;http://x\u0007link\u001b]8;;\u0007'), 'red link');
  assert.equal(lastTextLine([{ output_type: 'stream', name: 'stderr', text: '\u001b[1mbold\u001b[0m\n\n' }]), 'bold');
});

