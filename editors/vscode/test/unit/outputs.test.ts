import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  STDERR_MIME,
  STDOUT_MIME,
  continuesStream,
  convert,
  outputText,
  tracebackText,
} from '../../src/outputs';

const decode = (data: Uint8Array) => new TextDecoder().decode(data);

test('stdout and stderr streams use VS Code stream MIME types', () => {
  const out = convert({ output_type: 'stream', name: 'stdout', text: 'hello\n' });
  assert.equal(out.stream, 'stdout');
  assert.equal(out.items.length, 1);
  const [item] = out.items;
  assert.equal(item.kind, 'data');
  if (item.kind === 'data') {
    assert.equal(item.mime, STDOUT_MIME);
    assert.equal(decode(item.data), 'hello\n');
  }
  // nbformat allows a list of lines; the host sends strings, but a list is still joined.
  const lines = ['a', 'b'] as unknown as string;
  const err = convert({ output_type: 'stream', name: 'stderr', text: lines });
  assert.equal(err.items[0].kind === 'data' && err.items[0].mime, STDERR_MIME);
  assert.equal(err.items[0].kind === 'data' && decode(err.items[0].data), 'ab');
});

test('consecutive outputs of one stream continue each other', () => {
  const a = convert({ output_type: 'stream', name: 'stdout', text: 'a' });
  const b = convert({ output_type: 'stream', name: 'stdout', text: 'b' });
  const e = convert({ output_type: 'stream', name: 'stderr', text: 'e' });
  const d = convert({ output_type: 'display_data', data: { 'text/plain': 'x' } });
  assert.equal(continuesStream(a, b), true);
  assert.equal(continuesStream(a, e), false);
  assert.equal(continuesStream(d, a), false);
  assert.equal(continuesStream(undefined, a), false);
});

test('PNG data is base64-decoded to bytes and ranked before text/plain', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const base64 = png.toString('base64');
  const out = convert({
    output_type: 'display_data',
    data: { 'text/plain': '<Figure size 640x480>', 'image/png': `${base64.slice(0, 4)}\n${base64.slice(4)}` },
    metadata: {},
  });
  assert.deepEqual(
    out.items.map((i) => i.kind === 'data' && i.mime),
    ['image/png', 'text/plain'],
  );
  const first = out.items[0];
  assert.ok(first.kind === 'data');
  assert.deepEqual(Buffer.from(first.data), png);
  assert.equal(out.metadata.outputType, 'display_data');
});

test('execute_result keeps HTML, JSON and text with the execution count in metadata', () => {
  const out = convert({
    output_type: 'execute_result',
    execution_count: 7,
    data: { 'text/plain': ['<b>', 'x</b>'], 'text/html': '<b>x</b>', 'application/json': { a: [1, 2] } },
    metadata: {},
  });
  const mimes = out.items.map((i) => (i.kind === 'data' ? i.mime : 'error'));
  assert.deepEqual(mimes, ['application/json', 'text/html', 'text/plain']);
  const json = out.items[0];
  assert.ok(json.kind === 'data');
  assert.deepEqual(JSON.parse(decode(json.data)), { a: [1, 2] });
  const plain = out.items[2];
  assert.ok(plain.kind === 'data');
  assert.equal(decode(plain.data), '<b>x</b>');
  assert.equal(out.metadata.outputType, 'execute_result');
  assert.equal(out.metadata.executionCount, 7);
});

test('vendor JSON MIME types are JSON and rank first', () => {
  const out = convert({
    output_type: 'display_data',
    data: { 'text/plain': 'fig', 'application/vnd.plotly.v1+json': '{"data": []}' },
  });
  const first = out.items[0];
  assert.ok(first.kind === 'data');
  assert.equal(first.mime, 'application/vnd.plotly.v1+json');
  assert.deepEqual(JSON.parse(decode(first.data)), { data: [] });
});

test('errors become error items with the traceback as the stack', () => {
  const out = convert({
    output_type: 'error',
    ename: 'ZeroDivisionError',
    evalue: 'division by zero',
    traceback: ['Traceback (most recent call last):\n', '  File "<cell 1>", line 1', 'ZeroDivisionError: division by zero'],
  });
  assert.equal(out.metadata.outputType, 'error');
  assert.deepEqual(out.items, [
    {
      kind: 'error',
      name: 'ZeroDivisionError',
      message: 'division by zero',
      stack: 'Traceback (most recent call last):\n  File "<cell 1>", line 1\nZeroDivisionError: division by zero',
    },
  ]);
});

test('outputText prefers text/plain and falls back to the MIME type', () => {
  assert.equal(outputText({ output_type: 'display_data', data: { 'image/png': 'AAAA' } }), '[image/png]');
  assert.equal(outputText({ output_type: 'execute_result', data: { 'text/plain': '42' } }), '42');
  assert.equal(outputText({ output_type: 'stream', name: 'stdout', text: ['a', 'b'] as unknown as string }), 'ab');
  assert.equal(outputText({ output_type: 'error', ename: 'E', evalue: 'v', traceback: [] }), 'E: v');
  assert.equal(tracebackText(undefined), '');
});
