// The one-line result summary of a `# %%` cell (a code lens on its marker line). Pure.

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

const MAX = 80;

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
        ? `${error.ename}${error.evalue ? `: ${stripAnsi(error.evalue).trim().replace(/\s*\n\s*/g, ' ')}` : ''}`
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

