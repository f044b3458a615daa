// The output view's HTML: a document's cell results with text, HTML, images, JSON and
// tracebacks. Pure: the panel (outputPanel.ts) only moves these strings into its webview.

import { stripAnsi } from './ansi';
import { duration } from './format';
import { BASE64_IMAGE_MIMES, joinText, tracebackText } from './outputs';
import type { ExecStatus, NbOutput } from './protocol';

export interface Entry {
  /** "Cell 3 (line 12)", or a notebook cell's label. */
  label: string;
  state: 'queued' | 'running' | 'done';
  status?: ExecStatus;
  executionCount?: number | null;
  durationMs?: number;
  outputs: NbOutput[];
  /** Outputs of background tasks this cell started, after the cell itself finished. */
  taskOutputs: NbOutput[];
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** One MIME bundle: the richest representation this view can show. */
export function renderBundle(data: Record<string, unknown>): string {
  if (typeof data['text/html'] === 'string' || Array.isArray(data['text/html'])) {
    // The webview's CSP runs no script but the view's own, so HTML is shown as markup only.
    return `<div class="html">${joinText(data['text/html'])}</div>`;
  }
  for (const mime of BASE64_IMAGE_MIMES) {
    const value = data[mime];
    if (typeof value === 'string') {
      const base64 = value.replace(/\s+/g, '');
      return `<img alt="${mime} output" src="data:${mime};base64,${base64}">`;
    }
  }
  const svg = data['image/svg+xml'];
  if (svg !== undefined) {
    const encoded = Buffer.from(joinText(svg), 'utf8').toString('base64');
    return `<img alt="image/svg+xml output" src="data:image/svg+xml;base64,${encoded}">`;
  }
  const jsonMime = Object.keys(data).find((m) => m === 'application/json' || m.endsWith('+json'));
  if (jsonMime) {
    return `<pre class="json">${escapeHtml(JSON.stringify(data[jsonMime], undefined, 2))}</pre>`;
  }
  if (data['text/markdown'] !== undefined) {
    return `<pre class="markdown">${escapeHtml(joinText(data['text/markdown']))}</pre>`;
  }
  if (data['text/plain'] !== undefined) {
    return `<pre>${escapeHtml(stripAnsi(joinText(data['text/plain'])))}</pre>`;
  }
  const mimes = Object.keys(data);
  return `<pre class="muted">[${escapeHtml(mimes.join(', ') || 'empty output')}]</pre>`;
}

/** Outputs in order; consecutive text of one stream shares one block. */
export function renderOutputs(outputs: NbOutput[]): string {
  const parts: string[] = [];
  let stream: { name: string; text: string } | undefined;
  const flush = () => {
    if (stream) parts.push(`<pre class="${stream.name}">${escapeHtml(stripAnsi(stream.text))}</pre>`);
    stream = undefined;
  };
  for (const output of outputs) {
    if (output.output_type === 'stream') {
      const text = joinText(output.text);
      if (stream && stream.name === output.name) stream.text += text;
      else {
        flush();
        stream = { name: output.name, text };
      }
      continue;
    }
    flush();
    if (output.output_type === 'error') {
      const head = `${output.ename}${output.evalue ? `: ${output.evalue}` : ''}`;
      parts.push(
        `<div class="error"><div class="ename">${escapeHtml(stripAnsi(head))}</div>` +
          `<pre>${escapeHtml(stripAnsi(tracebackText(output.traceback)))}</pre></div>`,
      );
    } else if (output.output_type === 'execute_result' || output.output_type === 'display_data') {
      parts.push(renderBundle(output.data ?? {}));
    }
  }
  flush();
  return parts.join('\n');
}

function entryStatus(entry: Entry): { icon: string; text: string; cls: string } {
  if (entry.state === 'queued') return { icon: '⧗', text: 'queued', cls: 'queued' };
  if (entry.state === 'running') return { icon: '⏳', text: 'running', cls: 'running' };
  const time = entry.durationMs !== undefined ? ` · ${duration(entry.durationMs)}` : '';
  if (entry.status === 'ok') return { icon: '✓', text: `ok${time}`, cls: 'ok' };
  if (entry.status === 'cancelled') return { icon: '■', text: `interrupted${time}`, cls: 'cancelled' };
  return { icon: '✗', text: `failed${time}`, cls: 'failed' };
}

export function renderEntry(entry: Entry): string {
  const { icon, text, cls } = entryStatus(entry);
  const count = entry.executionCount ? `[${entry.executionCount}] ` : '';
  const body = renderOutputs(entry.outputs) || '<div class="muted">no output</div>';
  const tasks = entry.taskOutputs.length
    ? `<div class="tasks"><div class="muted">background task output</div>${renderOutputs(entry.taskOutputs)}</div>`
    : '';
  return (
    `<section class="cell ${cls}"><header><span class="icon">${icon}</span> ` +
    `${escapeHtml(count + entry.label)} <span class="muted">${escapeHtml(text)}</span></header>` +
    `${body}${tasks}</section>`
  );
}

export function renderEntries(entries: Entry[]): string {
  if (entries.length === 0) {
    return '<div class="muted">Run a cell (Shift+Enter or the ▶ Run cell lens) to see its output here.</div>';
  }
  return entries.map(renderEntry).join('\n');
}

/** The page around the entries: CSP allows only the view's own script and data: images. */
export function page(title: string, body: string, nonce: string, cspSource: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data: ${cspSource}; style-src 'unsafe-inline' ${cspSource}; script-src 'nonce-${nonce}';">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 12px; }
section.cell { border-left: 3px solid var(--vscode-panel-border, #8884); margin: 10px 0; padding: 2px 10px; }
section.ok { border-left-color: var(--vscode-testing-iconPassed, #3a3); }
section.failed { border-left-color: var(--vscode-testing-iconFailed, #c33); }
section.cancelled { border-left-color: var(--vscode-testing-iconSkipped, #aa3); }
section.running { border-left-color: var(--vscode-progressBar-background, #38c); }
header { font-weight: 600; margin: 4px 0; }
pre { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); white-space: pre-wrap; word-break: break-word; margin: 4px 0; }
pre.stderr { color: var(--vscode-errorForeground, #c33); }
.error .ename { color: var(--vscode-errorForeground, #c33); font-weight: 600; }
.muted { opacity: 0.7; font-weight: normal; }
img { max-width: 100%; background: white; }
.tasks { border-top: 1px dashed var(--vscode-panel-border, #8884); margin-top: 6px; }
</style></head>
<body><div id="entries">${body}</div>
<script nonce="${nonce}">
window.addEventListener('message', (event) => {
  if (event.data && typeof event.data.html === 'string') {
    document.getElementById('entries').innerHTML = event.data.html;
  }
});
</script></body></html>`;
}
