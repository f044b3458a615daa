// Cell results per document: what the output view and the `# %%` cell summaries show. Pure
// (no `vscode` import); listeners are told which document changed.

import type { Entry } from './outputHtml';
import type { ExecResult, NbOutput } from './protocol';

export interface Result extends Entry {
  key: string;
  /** Orders entries in the view: the cell's index in its document. */
  order: number;
  executionId?: string;
  startedAt?: number;
}

/** Stream text kept per entry; older text is cut from the front. */
export const STREAM_LIMIT = 200_000;
/** Background task outputs kept per entry (the most recent). */
export const TASK_OUTPUT_LIMIT = 200;

/** Appends an output, merging it into a directly preceding output of the same stream. */
export function appendOutput(outputs: NbOutput[], output: NbOutput, limit = STREAM_LIMIT): void {
  const last = outputs[outputs.length - 1];
  if (output.output_type === 'stream' && last?.output_type === 'stream' && last.name === output.name) {
    const text = textOf(last.text) + textOf(output.text);
    last.text = text.length > limit ? `[…]\n${text.slice(text.length - limit)}` : text;
    return;
  }
  outputs.push(output.output_type === 'stream' ? { ...output, text: textOf(output.text) } : output);
}

function textOf(text: string | string[]): string {
  return Array.isArray(text) ? text.join('') : text;
}

export class Results {
  private readonly docs = new Map<string, Map<string, Result>>();
  private readonly byExecution = new Map<string, { doc: string; key: string }>();
  private readonly listeners: Array<(doc: string) => void> = [];
  private readonly stateListeners: Array<(doc: string) => void> = [];

  onChange(listener: (doc: string) => void): void {
    this.listeners.push(listener);
  }

  /** Only when a cell is queued, starts, ends or is skipped (not on every output). */
  onState(listener: (doc: string) => void): void {
    this.stateListeners.push(listener);
  }

  private changed(doc: string, state = false): void {
    for (const listener of this.listeners) listener(doc);
    if (state) for (const listener of this.stateListeners) listener(doc);
  }

  /** The document's running execution as this client knows it (it started it). */
  running(doc: string): { executionId: string; startedAt: number } | undefined {
    for (const result of this.docs.get(doc)?.values() ?? []) {
      if (result.state === 'running' && result.executionId && result.startedAt !== undefined) {
        return { executionId: result.executionId, startedAt: result.startedAt };
      }
    }
    return undefined;
  }

  entries(doc: string): Result[] {
    return [...(this.docs.get(doc)?.values() ?? [])].sort((a, b) => a.order - b.order);
  }

  get(doc: string, key: string): Result | undefined {
    return this.docs.get(doc)?.get(key);
  }

  /** Whether the execution's reply came (it is over, whatever the server said before). */
  finished(executionId: string): boolean {
    const where = this.byExecution.get(executionId);
    return (where && this.get(where.doc, where.key)?.state === 'done') ?? false;
  }

  startedAt(executionId: string): number | undefined {
    const where = this.byExecution.get(executionId);
    return where && this.get(where.doc, where.key)?.startedAt;
  }

  /** A cell is queued to run: its previous result is replaced. */
  queue(doc: string, key: string, label: string, order: number): Result {
    let entries = this.docs.get(doc);
    if (!entries) {
      entries = new Map();
      this.docs.set(doc, entries);
    }
    const previous = entries.get(key);
    if (previous?.executionId) this.byExecution.delete(previous.executionId);
    const result: Result = { key, label, order, state: 'queued', outputs: [], taskOutputs: [] };
    entries.set(key, result);
    this.changed(doc, true);
    return result;
  }

  start(doc: string, key: string, executionId: string, now: number): void {
    const result = this.get(doc, key);
    if (!result) return;
    result.state = 'running';
    result.executionId = executionId;
    result.startedAt = now;
    this.byExecution.set(executionId, { doc, key });
    this.changed(doc, true);
  }

  /** An output of the execution, or of a background task it started. */
  output(executionId: string, output: NbOutput): boolean {
    const where = this.byExecution.get(executionId);
    const result = where && this.get(where.doc, where.key);
    if (!where || !result) return false;
    if (result.state === 'done') {
      result.taskOutputs.push(output);
      if (result.taskOutputs.length > TASK_OUTPUT_LIMIT) result.taskOutputs.shift();
    } else {
      appendOutput(result.outputs, output);
    }
    this.changed(where.doc);
    return true;
  }

  /** The reply came. `streamed` says whether its outputs already arrived one by one. */
  finish(doc: string, key: string, reply: ExecResult, streamed: boolean): void {
    const result = this.get(doc, key);
    if (!result) return;
    if (!streamed) for (const output of reply.outputs) appendOutput(result.outputs, output);
    result.state = 'done';
    result.status = reply.status;
    result.executionCount = reply.executionCount;
    result.durationMs = reply.durationMs;
    this.changed(doc, true);
  }

  /** The cell never ran (dropped by an interrupt, or an earlier cell failed). */
  skip(doc: string, key: string): void {
    const entries = this.docs.get(doc);
    const result = entries?.get(key);
    if (!entries || !result || result.state !== 'queued') return;
    entries.delete(key);
    this.changed(doc, true);
  }

  clear(doc: string): void {
    for (const result of this.docs.get(doc)?.values() ?? []) {
      if (result.executionId) this.byExecution.delete(result.executionId);
    }
    this.docs.delete(doc);
    this.changed(doc);
  }
}
