// The client against the protocol's one definition (docs/schema/, generated from the
// server's Rust types): the generated types are current, every typed example message goes
// through the client's real handlers and renderers, and every method the client uses exists.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

import { cancelNotice, eventNotice, interruptNotice, restartNotice, SHOW_TRACEBACK, tracebackDocument } from '../../src/notices';
import { renderEntries } from '../../src/outputHtml';
import { BASE64_IMAGE_MIMES, convert, outputText } from '../../src/outputs';
import {
  type EventParams,
  type ExecResult,
  type HostStatus,
  IMAGE_MIME_TYPES,
  type InterruptOutcome,
  Methods,
  type OutputParams,
} from '../../src/protocol';
import { Results } from '../../src/results';
import { Router } from '../../src/router';
import { statusView } from '../../src/statusText';
import { summary } from '../../src/summary';
import { taskItem } from '../../src/taskItem';

// out/test/protocol.test.js -> editors/vscode
const EXT = resolve(__dirname, '..', '..');
const ROOT = resolve(EXT, '..', '..');
const SCHEMA = JSON.parse(readFileSync(join(ROOT, 'docs/schema/lsp-extension.schema.json'), 'utf8')) as {
  requests: Record<string, unknown>;
  notifications: Record<string, unknown>;
  imageMimeTypes: string[];
};
interface Example {
  name: string;
  method: string;
  params: unknown;
  result?: unknown;
}
const EXAMPLES = JSON.parse(readFileSync(join(ROOT, 'docs/schema/lsp-extension.examples.json'), 'utf8')) as Example[];
const DOC = 'file:///work/demo.py';

function examples(method: string): Example[] {
  const found = EXAMPLES.filter((e) => e.method === method);
  assert.ok(found.length > 0, `no example of ${method} in lsp-extension.examples.json`);
  return found;
}

/** `expected[name]` for every example: a new example fails here until its expectation is written. */
function expectation<T>(expected: Record<string, T>, example: Example): T {
  assert.ok(example.name in expected, `no expectation for the example "${example.name}" (${example.method}): add one`);
  return expected[example.name];
}

test('src/protocol.generated.ts is what scripts/gen-protocol.mjs makes of the schema', () => {
  const fresh = execFileSync(process.execPath, [join(EXT, 'scripts/gen-protocol.mjs'), '--stdout'], { encoding: 'utf8' });
  const committed = readFileSync(join(EXT, 'src/protocol.generated.ts'), 'utf8');
  assert.ok(
    fresh === committed,
    'src/protocol.generated.ts is stale (docs/schema/lsp-extension.schema.json changed): ' +
      'run `node scripts/gen-protocol.mjs` in editors/vscode and commit the result',
  );
});

/** A `# %%` cell started with the example's executionId, outputs routed as extension.ts does. */
function runningCell(executionId: string) {
  const results = new Results();
  const router = new Router({ output: (params) => void results.output(params.executionId, params.output) });
  results.queue(DOC, 'cell-0', 'Cell 1', 0);
  results.start(DOC, 'cell-0', executionId, 0);
  router.register(executionId, { output: (params) => void results.output(params.executionId, params.output) });
  return { results, router };
}

test('every asyncell/output example shows in the output view, the notebook cell and the summary', () => {
  // What the user sees: a fragment of the output view's HTML, the notebook output items'
  // MIME types, and the cell's one-line summary once it finished.
  const expected: Record<string, { html: string; mimes: string[]; summary: string }> = {
    'stdout of a cell': {
      html: '<pre class="stdout">beat 1\n</pre>',
      mimes: ['application/vnd.code.notebook.stdout'],
      summary: '✓ 1 ms · beat 1',
    },
    'stdout of a background task': {
      html: '<div class="muted">background task output</div><pre class="stdout">beat 2\n</pre>',
      mimes: ['application/vnd.code.notebook.stdout'],
      summary: '✓ 1 ms',
    },
    'an image': {
      html: '<img alt="image/png output" src="data:image/png;base64,iVBORw0KGgo=">',
      mimes: ['image/png', 'text/plain'],
      summary: '✓ 1 ms · 1 image · <Figure>',
    },
    'a traceback': {
      html: '<div class="error"><div class="ename">ValueError: bad</div><pre>ValueError: bad</pre></div>',
      mimes: ['application/vnd.code.notebook.error'],
      summary: '✗ ValueError: bad',
    },
  };
  for (const example of examples(Methods.output)) {
    const want = expectation(expected, example);
    const params = example.params as OutputParams;
    const { results, router } = runningCell(params.executionId);
    const reply: ExecResult = { executionId: params.executionId, status: 'ok', outputs: [], durationMs: 1 };
    if (params.taskId) {
      // A background task's output arrives after its cell finished, through the fallback.
      router.handOver(params.executionId, undefined);
      results.finish(DOC, 'cell-0', reply, true);
      router.dispatch(params);
    } else {
      router.dispatch(params);
      router.handOver(params.executionId, undefined);
      results.finish(DOC, 'cell-0', { ...reply, status: params.output.output_type === 'error' ? 'error' : 'ok' }, true);
    }
    const entry = results.get(DOC, 'cell-0')!;
    assert.ok(renderEntries([entry]).includes(want.html), `${example.name}: ${renderEntries([entry])}`);
    const items = convert(params.output).items.map((item) => (item.kind === 'data' ? item.mime : 'application/vnd.code.notebook.error'));
    assert.deepEqual(items, want.mimes, example.name);
    assert.equal(summary(entry, 0), want.summary, example.name);
    assert.ok(outputText(params.output).length > 0, `${example.name}: no plain text`);
  }
});

test('every asyncell/event example: a failed task is an error with its traceback, the rest say nothing', () => {
  const expected: Record<string, string | undefined> = {
    'host started': undefined,
    'host died': undefined,
    'host stopped on purpose': undefined,
    'a background task failed': 'asyncell: task heartbeat failed: RuntimeError: boom',
    'a background task finished': undefined,
  };
  for (const example of examples(Methods.event)) {
    const want = expectation(expected, example);
    const event = example.params as EventParams;
    const notice = eventNotice(event);
    assert.equal(notice?.text, want, example.name);
    if (notice) {
      assert.equal(notice.level, 'error');
      assert.deepEqual(notice.actions, [SHOW_TRACEBACK]);
      assert.match(tracebackDocument(event), /^task heartbeat failed: RuntimeError: boom\n\nTraceback \(most recent call last\):\nRuntimeError: boom\n$/);
    }
  }
});

test('every asyncell/execute result shows as the cell summary and the output view', () => {
  const expected: Record<string, { summary: string; html: string }> = {
    'execute a cell': { summary: '✓ [3] 2 ms · 42', html: '<pre class="stdout">beat 0\n</pre>\n<pre>42</pre>' },
    'execute code that raises': {
      summary: '✗ [4] ZeroDivisionError: division by zero',
      html: '<div class="ename">ZeroDivisionError: division by zero</div>',
    },
    'execute the cell at a position': { summary: '■ interrupted after 0 ms', html: '<div class="muted">no output</div>' },
  };
  for (const example of examples(Methods.execute)) {
    const want = expectation(expected, example);
    const reply = example.result as ExecResult;
    const { results } = runningCell(reply.executionId);
    // The reply's outputs, as a client that got no streamed ones shows them.
    results.finish(DOC, 'cell-0', reply, false);
    const entry = results.get(DOC, 'cell-0')!;
    assert.equal(summary(entry, 0), want.summary, example.name);
    assert.ok(renderEntries([entry]).includes(want.html), `${example.name}: ${renderEntries([entry])}`);
  }
});

test('every asyncell/status result shows in the status bar and the task list', () => {
  const expected: Record<string, { text: string; tasks: string[] }> = {
    'status while a cell runs': {
      text: '$(sync~spin) trio: busy 1.5 s (+1 queued) · 1 task',
      tasks: ['$(sync~spin) heartbeat | running · started 10.0 s ago | task t1, started by execution e2'],
    },
  };
  for (const example of examples(Methods.status)) {
    const want = expectation(expected, example);
    const status = example.result as HostStatus;
    assert.equal(statusView(status, 0, 1500).text, want.text, example.name);
    const now = (status.tasks[0]?.startedAt ?? 0) * 1000 + 10_000;
    const items = status.tasks.map((task) => taskItem(task, now)).map((i) => `${i.label} | ${i.description} | ${i.detail}`);
    assert.deepEqual(items, want.tasks, example.name);
  }
});

test('every asyncell/interrupt, restart and cancelTask result gives the message the user sees', () => {
  const expected: Record<string, string | undefined> = {
    // The cell stopped: its own summary says so, no extra message.
    'interrupt an awaiting cell': undefined,
    restart: 'asyncell: restarted (pid 4243)',
    'cancel a background task': 'asyncell: cancelled heartbeat',
  };
  for (const example of examples(Methods.interrupt)) {
    assert.equal(interruptNotice(example.result as InterruptOutcome)?.text, expectation(expected, example), example.name);
  }
  for (const example of examples(Methods.restart)) {
    assert.equal(restartNotice(example.result as { pid: number }).text, expectation(expected, example), example.name);
  }
  for (const example of examples(Methods.cancelTask)) {
    assert.equal(cancelNotice('heartbeat', example.result as { cancelled: boolean }).text, expectation(expected, example), example.name);
  }
});

test('every method the client names exists in the schema, and every example method is known', () => {
  const inSchema = new Set([...Object.keys(SCHEMA.requests), ...Object.keys(SCHEMA.notifications)]);
  for (const [name, method] of Object.entries(Methods)) assert.ok(inSchema.has(method), `Methods.${name} = ${method}`);
  // Literal method strings or Methods.x uses anywhere in the client's sources.
  const sources = readdirSync(join(EXT, 'src')).filter((f) => f.endsWith('.ts') && f !== 'protocol.generated.ts');
  let uses = 0;
  for (const file of sources) {
    const text = readFileSync(join(EXT, 'src', file), 'utf8');
    for (const match of text.matchAll(/['"`](asyncell\/[A-Za-z]+)['"`]/g)) {
      assert.ok(inSchema.has(match[1]), `${file} names ${match[1]}, which the schema does not have`);
      uses += 1;
    }
    for (const match of text.matchAll(/\bMethods\.([A-Za-z]+)/g)) {
      assert.ok(match[1] in Methods && inSchema.has(Methods[match[1] as keyof typeof Methods]), `${file}: Methods.${match[1]}`);
      uses += 1;
    }
  }
  assert.ok(uses >= 8, `only ${uses} method uses found in src/: the scan is broken`);
  for (const example of EXAMPLES) assert.ok(inSchema.has(example.method), `example "${example.name}": ${example.method}`);
});

test('the client shows exactly the schema\'s image MIME types as images', () => {
  assert.deepEqual([...IMAGE_MIME_TYPES], SCHEMA.imageMimeTypes);
  assert.deepEqual(BASE64_IMAGE_MIMES, SCHEMA.imageMimeTypes.filter((mime) => mime !== 'image/svg+xml'));
  for (const mime of SCHEMA.imageMimeTypes) {
    const data = mime === 'image/svg+xml' ? '<svg xmlns="http://www.w3.org/2000/svg"/>' : 'iVBORw0KGgo=';
    const html = renderEntries([{ label: 'Cell 1', state: 'done', status: 'ok', outputs: [{ output_type: 'display_data', data: { [mime]: data, 'text/plain': 'alt' } }], taskOutputs: [] }]);
    assert.ok(html.includes(`<img alt="${mime} output"`), `${mime} is not shown as an image: ${html}`);
    assert.equal(summary({ state: 'done', status: 'ok', outputs: [{ output_type: 'display_data', data: { [mime]: data } }] }, 0), `✓ · 1 image · [${mime}]`);
  }
});
