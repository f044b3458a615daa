import assert from 'node:assert/strict';
import { test } from 'node:test';

import { escapeHtml, renderEntries, renderOutputs } from '../../src/outputHtml';
import type { NbOutput } from '../../src/protocol';
import { Results, TASK_OUTPUT_LIMIT, appendOutput } from '../../src/results';
import { Router } from '../../src/router';

test('stream outputs merge and are capped from the front', () => {
  const outputs: NbOutput[] = [];
  appendOutput(outputs, { output_type: 'stream', name: 'stdout', text: 'ab' }, 5);
  appendOutput(outputs, { output_type: 'stream', name: 'stdout', text: 'cdef' }, 5);
  appendOutput(outputs, { output_type: 'stream', name: 'stderr', text: 'x' }, 5);
  assert.equal(outputs.length, 2);
  assert.deepEqual(outputs[0], { output_type: 'stream', name: 'stdout', text: '[…]\nbcdef' });
});

test('a run goes queued, running, done; later task output is kept apart', () => {
  const results = new Results();
  const changes: string[] = [];
  results.onChange((doc) => changes.push(doc));
  results.queue('d', 'cell:0', 'Cell 1', 0);
  assert.equal(results.get('d', 'cell:0')?.state, 'queued');
  results.start('d', 'cell:0', 'e1', 100);
  assert.equal(results.startedAt('e1'), 100);
  assert.equal(results.output('e1', { output_type: 'stream', name: 'stdout', text: 'hi\n' }), true);
  assert.equal(results.output('unknown', { output_type: 'stream', name: 'stdout', text: 'x' }), false);
  results.finish('d', 'cell:0', { executionId: 'e1', executionCount: 1, status: 'ok', outputs: [], durationMs: 5 }, true);
  for (let i = 0; i < TASK_OUTPUT_LIMIT + 5; i++) {
    results.output('e1', { output_type: 'stream', name: 'stdout', text: `beat ${i}\n` });
  }
  const done = results.get('d', 'cell:0')!;
  assert.equal(done.outputs.length, 1);
  assert.equal(done.taskOutputs.length, TASK_OUTPUT_LIMIT);
  assert.equal(done.executionCount, 1);
  assert.ok(changes.length > 3 && changes.every((d) => d === 'd'));
});

test('a reply without streamed outputs supplies them; skipped cells disappear', () => {
  const results = new Results();
  results.queue('d', 'a', 'A', 1);
  results.queue('d', 'b', 'B', 0);
  results.start('d', 'a', 'e', 0);
  const error: NbOutput = { output_type: 'error', ename: 'E', evalue: 'v', traceback: [] };
  results.finish('d', 'a', { executionId: 'e', executionCount: null, status: 'error', outputs: [error], durationMs: 0 }, false);
  assert.deepEqual(results.get('d', 'a')?.outputs, [error]);
  assert.deepEqual(results.entries('d').map((r) => r.key), ['b', 'a']);
  results.skip('d', 'b');
  assert.deepEqual(results.entries('d').map((r) => r.key), ['a']);
});

test('the router sends outputs to the execution that asked, else the fallback', () => {
  const seen: string[] = [];
  const router = new Router({ output: (p) => seen.push(`fallback:${p.executionId}`) }, 'p');
  const id = router.nextId();
  assert.equal(id, 'p-1');
  router.register(id, { output: (p) => seen.push(`mine:${p.executionId}`) });
  const params = (executionId: string) => ({
    textDocument: { uri: 'file:///x' },
    executionId,
    taskId: null,
    output: { output_type: 'stream', name: 'stdout', text: '' } as NbOutput,
  });
  router.dispatch(params(id));
  router.dispatch(params('other'));
  router.handOver(id, undefined);
  router.dispatch(params(id));
  assert.deepEqual(seen, ['mine:p-1', 'fallback:other', 'fallback:p-1']);
});

test('the output view escapes text, shows images and HTML, and tracebacks', () => {
  assert.equal(escapeHtml(`<a href="x">&'</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
  const html = renderOutputs([
    { output_type: 'stream', name: 'stdout', text: '<1>\n' },
    { output_type: 'stream', name: 'stdout', text: '2\n' },
    { output_type: 'display_data', data: { 'image/png': 'iVBO\nRw==', 'text/plain': 'fig' } },
    { output_type: 'execute_result', data: { 'text/html': '<table></table>', 'text/plain': 't' } },
    { output_type: 'error', ename: 'ValueError', evalue: 'bad', traceback: ['\u001b[31mline\u001b[0m'] },
  ]);
  assert.match(html, /<pre class="stdout">&lt;1&gt;\n2\n<\/pre>/);
  assert.match(html, /<img alt="image\/png output" src="data:image\/png;base64,iVBORw==">/);
  assert.match(html, /<div class="html"><table><\/table><\/div>/);
  assert.match(html, /ValueError: bad/);
  assert.ok(!html.includes('\u001b'));
  assert.match(renderEntries([]), /Run a cell/);
});

test('state listeners hear queue, start and finish, not outputs; running() names the run', () => {
  const results = new Results();
  const states: string[] = [];
  results.onState((doc) => states.push(doc));
  results.queue('d', 'k', 'Cell 1', 0);
  assert.equal(results.running('d'), undefined);
  results.start('d', 'k', 'e1', 1000);
  assert.deepEqual(results.running('d'), { executionId: 'e1', startedAt: 1000 });
  results.output('e1', { output_type: 'stream', name: 'stdout', text: 'x' });
  results.finish('d', 'k', { executionId: 'e1', executionCount: 1, status: 'ok', outputs: [], durationMs: 3 }, true);
  assert.equal(results.running('d'), undefined);
  assert.deepEqual(states, ['d', 'd', 'd']);
});
