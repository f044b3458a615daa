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

/** The editor cuts a summary to its width (summaryCss); this only bounds the text sent. */
export const MAX = 300;

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
 * CSS for the summary after a line whose text ends at `column`: from two columns after
 * the text to two columns before the editor's right edge, cut there with an ellipsis
 * (nothing shows when the code leaves no room; the hover has the whole summary). VS Code
 * puts the `textDecoration` value into the rule of the decoration's `::after`.
 *
 * Why `position: fixed`: an editor line is an absolutely placed span as wide as its text,
 * so an in-flow or absolutely placed summary can only be sized against the text itself
 * (sized that way it widened the line at every layout). A fixed box is placed against the
 * nearest ancestor with CSS containment instead, the editor's `.lines-content` layer
 * (`contain: strict`), which is as wide as the editor's text area, or as its longest line
 * when that is wider; its top stays the line's own (the static position). Being out of
 * flow, the summary never adds to a line's width, so it never makes the editor scroll.
 */
export function summaryCss(column: number): string {
  return (
    `none; position: fixed; left: ${column + 2}ch; right: 2ch; overflow: hidden; ` +
    'text-overflow: ellipsis; white-space: pre'
  );
}
