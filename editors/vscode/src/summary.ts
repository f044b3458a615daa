// The one-line result summary shown after a `# %%` cell (an editor decoration). Pure.

import { stripAnsi } from './ansi';
import { duration, truncate } from './format';
import { outputText } from './outputs';
import { type ExecStatus, IMAGE_MIME_TYPES, type NbOutput } from './protocol';

export interface CellRun {
  state: 'queued' | 'running' | 'done';
  status?: ExecStatus;
  executionCount?: number | null;
  durationMs?: number;
  /** When it started running (ms since the epoch), for the elapsed time. */
  startedAt?: number;
  outputs: NbOutput[];
}

/** The text is cut to the editor's width by CSS (summaryCss); this only bounds the CSS. */
const MAX = 200;

/** The last non-empty line of the text outputs (what a user most wants to see). */
export function lastTextLine(outputs: NbOutput[]): string {
  for (let i = outputs.length - 1; i >= 0; i--) {
    const output = outputs[i];
    if (output.output_type === 'error') continue;
    const lines = stripAnsi(outputText(output))
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    if (lines.length) return lines[lines.length - 1];
  }
  return '';
}

function countImages(outputs: NbOutput[]): number {
  return outputs.filter(
    (o) =>
      (o.output_type === 'display_data' || o.output_type === 'execute_result') &&
      Object.keys(o.data ?? {}).some((mime) => (IMAGE_MIME_TYPES as readonly string[]).includes(mime)),
  ).length;
}

export function summary(run: CellRun, now: number): string {
  if (run.state === 'queued') return '⧗ queued';
  if (run.state === 'running') {
    const elapsed = run.startedAt !== undefined ? ` ${duration(now - run.startedAt)}` : '';
    const last = lastTextLine(run.outputs);
    return truncate(`⏳ running${elapsed}${last ? ` · ${last}` : ''}`, MAX);
  }
  const count = run.executionCount ? `[${run.executionCount}] ` : '';
  const time = run.durationMs !== undefined ? duration(run.durationMs) : '';
  const error = run.outputs.find((o) => o.output_type === 'error');
  if (run.status === 'cancelled') {
    return `■ ${count}interrupted${time ? ` after ${time}` : ''}`;
  }
  if (run.status === 'error' || error) {
    const what =
      error && error.output_type === 'error'
        ? `${error.ename}${error.evalue ? `: ${stripAnsi(error.evalue)}` : ''}`
        : 'failed';
    return truncate(`✗ ${count}${what}`, MAX);
  }
  const parts = [`✓ ${count}${time}`.trim()];
  const images = countImages(run.outputs);
  if (images) parts.push(images === 1 ? '1 image' : `${images} images`);
  const last = lastTextLine(run.outputs);
  if (last) parts.push(last);
  return truncate(parts.join(' · '), MAX);
}

/** The column a line's text ends at on screen: tabs expanded, wide characters as two. */
export function visualColumns(text: string, tabSize: number): number {
  let column = 0;
  for (const char of text) {
    if (char === '\t') column += tabSize - (column % tabSize);
    else column += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{1f300}-\u{1faff}]/u.test(char) ? 2 : 1;
  }
  return column;
}

/**
 * CSS for the summary after a line ending at `column`: two columns after the text, at
 * most as wide as the rest of the editor line less six columns, cut there with an
 * ellipsis. The percentage is of the editor line, which is as wide as the editor (or its
 * longest line); the six columns keep clear of the vertical scrollbar and of the four
 * columns the editor lets you scroll past the longest line (`scrollBeyondLastColumn`),
 * which would otherwise widen the line, and the summary with it, at every layout. So the
 * summary never makes the editor scroll sideways (hover the line's end for it when the
 * code leaves it no room). VS Code puts the `textDecoration` value
 * into the decoration's CSS rule.
 */
export function summaryCss(column: number): string {
  return (
    // With no room left (the code reaches the edge) the width goes to zero: nothing shows.
    'none; display: inline-block; vertical-align: top; margin-left: 2ch; ' +
    `max-width: calc(100% - ${column + 8}ch); overflow: hidden; text-overflow: ellipsis; white-space: nowrap`
  );
}
