// Background-task output (and failed tasks' tracebacks) in the notebook cell that started
// the task, also after that cell finished. VS Code lets only a NotebookCellExecution
// change a cell's outputs, so each batch of late output goes in through a short execution
// of its own that restores the cell's execution order, success and times before it ends:
// the cell looks as it did, with the new output below its own.
//
// VS Code shows a cell's spinner for at least 500 ms once an execution starts, so batches
// go in at most once a second per cell (a chatty task blinks the spinner, never keeps it).

import * as vscode from 'vscode';

import { toCellOutput } from './notebookOutputs';
import { convert, joinText } from './outputs';
import type { NbOutput } from './protocol';
import { appendOutput } from './results';

/** Late stream text kept per stream and cell (older text is cut from the front). */
export const LATE_STREAM_LIMIT = 20_000;
/** Outputs waiting for their batch, per cell (the oldest are dropped beyond this). */
const PENDING_LIMIT = 500;
/** At most one batch a second per cell (see above). */
const BATCH_INTERVAL_MS = 1000;

/** How the cell's own run ended: what every batch restores. */
export interface CellRun {
  controller: vscode.NotebookController;
  executionOrder: number | undefined;
  success: boolean | undefined;
  startTime: number;
  endTime: number;
}

interface CellState {
  cell: vscode.NotebookCell;
  run: CellRun | undefined;
  pending: NbOutput[];
  timer: NodeJS.Timeout | undefined;
  lastBatch: number;
  /** The batch execution in progress. */
  active: vscode.NotebookCellExecution | undefined;
  /** The late outputs in the cell (after its own `own` outputs), streams merged. */
  late: NbOutput[];
  own: number;
}

export class CellAppender implements vscode.Disposable {
  private readonly cells = new Map<string, CellState>();

  private state(cell: vscode.NotebookCell): CellState {
    const key = cell.document.uri.toString();
    let state = this.cells.get(key);
    if (!state) {
      state = { cell, run: undefined, pending: [], timer: undefined, lastBatch: 0, active: undefined, late: [], own: 0 };
      this.cells.set(key, state);
    }
    return state;
  }

  /**
   * The cell is about to run again (its outputs will be cleared): end a batch in progress
   * at once, so VS Code can create the run's own execution, and hold later output until
   * the run ended.
   */
  suspend(cell: vscode.NotebookCell): void {
    const state = this.state(cell);
    this.endActive(state);
    state.run = undefined;
    if (state.timer) clearTimeout(state.timer);
    state.timer = undefined;
  }

  /** The cell's own run ended: late output from now on goes below what it showed. */
  finished(cell: vscode.NotebookCell, run: CellRun): void {
    const state = this.state(cell);
    state.run = run;
    state.late = [];
    state.own = cell.outputs.length;
    if (state.pending.length) this.schedule(state);
  }

  /** An output of a task the cell's execution started, arriving after that execution. */
  output(cell: vscode.NotebookCell, output: NbOutput): void {
    if (cell.index < 0 || cell.notebook.isClosed) return;
    const state = this.state(cell);
    state.pending.push(output);
    if (state.pending.length > PENDING_LIMIT) state.pending.shift();
    if (state.run) this.schedule(state);
  }

  private schedule(state: CellState): void {
    if (state.timer || state.active) return;
    const wait = Math.max(0, state.lastBatch + BATCH_INTERVAL_MS - Date.now());
    state.timer = setTimeout(() => {
      state.timer = undefined;
      void this.batch(state);
    }, wait);
  }

  private endActive(state: CellState): void {
    const execution = state.active;
    if (!execution) return;
    state.active = undefined;
    const run = state.run;
    try {
      execution.end(run?.success, run?.endTime ?? Date.now());
    } catch {
      // already ended
    }
  }

  private async batch(state: CellState): Promise<void> {
    const run = state.run;
    const { cell } = state;
    if (!run || state.pending.length === 0) return;
    if (cell.index < 0 || cell.notebook.isClosed) {
      this.cells.delete(cell.document.uri.toString());
      return;
    }
    let execution: vscode.NotebookCellExecution;
    try {
      execution = run.controller.createNotebookCellExecution(cell);
    } catch {
      // The controller is no longer this notebook's, or the cell runs: keep the output
      // for the next chance (the run's end, or the next batch).
      this.schedule(state);
      return;
    }
    state.active = execution;
    state.lastBatch = Date.now();
    execution.start(run.startTime);
    execution.executionOrder = run.executionOrder;
    // One output per stream run: the cell's outputs are read back between batches only.
    const outputs: NbOutput[] = [];
    for (const output of state.pending.splice(0)) appendOutput(outputs, output, LATE_STREAM_LIMIT);
    try {
      while (outputs.length && state.active === execution) {
        await this.put(state, execution, outputs[0]);
        outputs.shift();
      }
    } catch {
      // The batch was ended under us (the cell is running again): what is left waits.
    }
    state.pending.unshift(...outputs);
    if (state.active === execution) this.endActive(state);
    if (state.pending.length && state.run) this.schedule(state);
  }

  /** Adds one output: stream text continues the cell's last late output of that stream. */
  private async put(state: CellState, execution: vscode.NotebookCellExecution, output: NbOutput): Promise<void> {
    const outputs = state.cell.outputs;
    // Nothing else changed the cell's outputs since: its last output is the last late one.
    const intact = outputs.length === state.own + state.late.length;
    if (!intact) {
      state.own = outputs.length;
      state.late = [];
    }
    const last = state.late[state.late.length - 1];
    const lastOutput = outputs[outputs.length - 1];
    if (output.output_type === 'stream' && last?.output_type === 'stream' && last.name === output.name && lastOutput) {
      appendOutput(state.late, output, LATE_STREAM_LIMIT);
      const merged = toCellOutput(convert(state.late[state.late.length - 1]));
      await execution.replaceOutputItems(merged.items, lastOutput);
      return;
    }
    const cellOutput = toCellOutput(convert(output));
    state.late.push(output.output_type === 'stream' ? { ...output, text: joinText(output.text) } : output);
    await execution.appendOutput(cellOutput);
  }

  dispose(): void {
    for (const state of this.cells.values()) {
      if (state.timer) clearTimeout(state.timer);
      this.endActive(state);
    }
    this.cells.clear();
  }
}
