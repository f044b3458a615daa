// Notebook controllers for `jupyter-notebook` (one per loop): cells run one at a time, in
// order, through `asyncell/execute`; `asyncell/output` streams into the cell as it arrives.

import * as vscode from 'vscode';

import { CellAppender } from './cellAppender';
import { type LoopName, LOOPS, controllerId, controllerLabel, loopSwitch } from './loops';
import { toCellOutput, appendItems } from './notebookOutputs';
import { continuesStream, convert, type Converted } from './outputs';
import { interruptNotice, RESTART, restartNotice } from './notices';
import { type ExecResult, type HostStatus, Methods, type NbOutput, type OutputParams } from './protocol';
import type { Results } from './results';
import type { Router, Sink } from './router';
import type { Server } from './server';

/** Writes one execution's outputs into its cell, in arrival order. */
class CellSink implements Sink {
  private chain: Thenable<void> = Promise.resolve();
  private last: { converted: Converted; output: vscode.NotebookCellOutput } | undefined;
  streamed = 0;

  constructor(
    private readonly execution: vscode.NotebookCellExecution,
    private readonly results: Results,
  ) {}

  output(params: OutputParams): void {
    this.streamed += 1;
    this.results.output(params.executionId, params.output);
    this.add(params.output);
  }

  add(output: NbOutput): void {
    const converted = convert(output);
    this.chain = this.chain.then(async () => {
      if (this.last && continuesStream(this.last.converted, converted)) {
        await this.execution.appendOutputItems(appendItems(converted), this.last.output);
        return;
      }
      const cellOutput = toCellOutput(converted);
      this.last = { converted, output: cellOutput };
      await this.execution.appendOutput(cellOutput);
    });
  }

  /** Resolves once every output so far is in the cell. */
  flushed(): Thenable<void> {
    return this.chain.then(undefined, () => undefined);
  }
}

/** After its cell finished, an execution's outputs (background tasks) go into that cell
 * (cellAppender.ts) and to the output view. */
class LateSink implements Sink {
  constructor(
    private readonly cell: vscode.NotebookCell,
    private readonly appender: CellAppender,
    private readonly results: Results,
  ) {}
  output(params: OutputParams): void {
    this.results.output(params.executionId, params.output);
    this.appender.output(this.cell, params.output);
  }
}

/** After whatever the current task queued (a status bar item sends its text then). */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function cellKey(cell: vscode.NotebookCell): string {
  return cell.document.uri.toString();
}

function cellLabel(cell: vscode.NotebookCell): string {
  const first = cell.document.lineAt(0).text.trim();
  return `Cell ${cell.index + 1}${first ? `: ${first.slice(0, 40)}` : ''}`;
}

export class NotebookKernels implements vscode.Disposable {
  private readonly controllers: vscode.NotebookController[] = [];
  private readonly queues = new Map<string, Promise<void>>();
  /** Bumped by interrupt and restart: queued cells of an older epoch are not run. */
  private readonly epochs = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly appender = new CellAppender();

  constructor(
    private readonly server: Server,
    private readonly router: Router,
    private readonly results: Results,
    /** The host changed (restarted): refresh the status bar now. */
    private readonly statusChanged: () => void = () => undefined,
  ) {
    this.disposables.push(this.appender);
    for (const loop of LOOPS) {
      const controller = vscode.notebooks.createNotebookController(
        controllerId(loop),
        'jupyter-notebook',
        controllerLabel(loop),
      );
      controller.supportedLanguages = ['python'];
      controller.supportsExecutionOrder = true;
      controller.description = 'asyncell';
      controller.detail = `Cells run on one ${loop} loop that stays alive between cells; background tasks keep running.`;
      controller.executeHandler = (cells, notebook, self) => this.execute(cells, notebook, self, loop);
      controller.interruptHandler = (notebook) => this.interrupt(notebook);
      this.controllers.push(controller);
      this.disposables.push(controller);
    }
    this.disposables.push(
      vscode.workspace.onDidOpenNotebookDocument((notebook) => void this.updateAffinity(notebook)),
      vscode.workspace.onDidSaveNotebookDocument((notebook) => void this.updateAffinity(notebook)),
    );
    for (const notebook of vscode.workspace.notebookDocuments) void this.updateAffinity(notebook);
  }

  private epoch(notebook: vscode.NotebookDocument): number {
    return this.epochs.get(notebook.uri.toString()) ?? 0;
  }

  private bump(notebook: vscode.NotebookDocument): void {
    this.epochs.set(notebook.uri.toString(), this.epoch(notebook) + 1);
  }

  async status(notebook: vscode.NotebookDocument): Promise<HostStatus | undefined> {
    try {
      return await this.server.request(Methods.status, {
        textDocument: { uri: this.server.uri(notebook.uri) },
      });
    } catch {
      return undefined;
    }
  }

  /** Marks the controller whose loop the server would run as preferred for the notebook. */
  private async updateAffinity(notebook: vscode.NotebookDocument): Promise<void> {
    if (notebook.notebookType !== 'jupyter-notebook') return;
    // Give the client a moment to sync the notebook, so the server has analysed it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const status = await this.status(notebook);
    if (!status?.loop) return;
    LOOPS.forEach((loop, i) => {
      this.controllers[i].updateNotebookAffinity(
        notebook,
        loop === status.loop ? vscode.NotebookControllerAffinity.Preferred : vscode.NotebookControllerAffinity.Default,
      );
    });
  }

  private execute(
    cells: vscode.NotebookCell[],
    notebook: vscode.NotebookDocument,
    controller: vscode.NotebookController,
    loop: LoopName,
  ): Promise<void> {
    const epoch = this.epoch(notebook);
    const executions = cells.map((cell) => {
      // A batch of late output in progress would make VS Code refuse the run's execution.
      this.appender.suspend(cell);
      this.results.queue(notebook.uri.toString(), cellKey(cell), cellLabel(cell), cell.index);
      return { cell, execution: controller.createNotebookCellExecution(cell) };
    });
    const key = notebook.uri.toString();
    const run = (this.queues.get(key) ?? Promise.resolve()).then(async () => {
      let stop = false;
      for (const { cell, execution } of executions) {
        if (stop || execution.token.isCancellationRequested || this.epoch(notebook) !== epoch) {
          execution.end(undefined);
          this.results.skip(key, cellKey(cell));
          continue;
        }
        const ok = await this.runCell(cell, execution, notebook, loop, controller);
        if (!ok) stop = true; // like Jupyter's Run All, stop at the first failure
      }
    });
    this.queues.set(key, run.catch(() => undefined));
    return run;
  }

  private async runCell(
    cell: vscode.NotebookCell,
    execution: vscode.NotebookCellExecution,
    notebook: vscode.NotebookDocument,
    loop: LoopName,
    controller: vscode.NotebookController,
  ): Promise<boolean> {
    const doc = notebook.uri.toString();
    const key = cellKey(cell);
    const id = this.router.nextId();
    // The status bar first (results.start redraws it; VS Code sends a status bar item's
    // text on the next task), then the cell's spinner: the two change together.
    const startTime = Date.now();
    this.results.start(doc, key, id, startTime);
    await nextTask();
    execution.start(startTime);
    const end = async (success: boolean, executionOrder: number | undefined) => {
      await nextTask(); // the same order at the end: idle with the cell's end mark
      const endTime = Date.now();
      execution.end(success, endTime);
      this.appender.finished(cell, { controller, executionOrder, success, startTime, endTime });
    };
    await execution.clearOutput();
    const sink = new CellSink(execution, this.results);

    const fail = async (ename: string, evalue: string): Promise<false> => {
      const output: NbOutput = { output_type: 'error', ename, evalue, traceback: [] };
      sink.add(output);
      await sink.flushed();
      this.results.finish(doc, key, { executionId: id, executionCount: null, status: 'error', outputs: [output], durationMs: 0 }, false);
      await end(false, undefined);
      return false;
    };

    const switched = loopSwitch(loop, await this.status(notebook));
    if (switched) vscode.window.setStatusBarMessage(switched, 8000);

    this.router.register(id, sink);
    let reply: ExecResult;
    try {
      reply = await this.server.request(Methods.execute, {
        textDocument: { uri: this.server.uri(cell.document.uri) },
        code: cell.document.getText(),
        executionId: id,
        // The selected controller's loop wins for this notebook (docs/protocol.md).
        loop,
      });
    } catch (error) {
      this.router.handOver(id, undefined);
      return fail('ExecuteFailed', error instanceof Error ? error.message : String(error));
    }
    this.router.handOver(id, new LateSink(cell, this.appender, this.results));
    if (sink.streamed === 0) for (const output of reply.outputs) sink.add(output);
    await sink.flushed();
    this.results.finish(doc, key, reply, sink.streamed > 0);
    const order = typeof reply.executionCount === 'number' ? reply.executionCount : undefined;
    if (order !== undefined) execution.executionOrder = order;
    await end(reply.status === 'ok', order);
    return reply.status === 'ok';
  }

  async interrupt(notebook: vscode.NotebookDocument): Promise<void> {
    this.bump(notebook);
    try {
      const outcome = await this.server.request(Methods.interrupt, {
        textDocument: { uri: this.server.uri(notebook.uri) },
      });
      const notice = interruptNotice(outcome);
      if (notice?.level === 'warning') {
        const choice = await vscode.window.showWarningMessage(notice.text, ...notice.actions);
        if (choice === RESTART) await this.restart(notebook);
      }
    } catch (error) {
      void vscode.window.showErrorMessage(`asyncell: interrupt failed: ${String(error)}`);
    }
  }

  async restart(notebook: vscode.NotebookDocument): Promise<void> {
    this.bump(notebook);
    try {
      const reply = await this.server.request(Methods.restart, {
        textDocument: { uri: this.server.uri(notebook.uri) },
      });
      vscode.window.setStatusBarMessage(restartNotice(reply).text, 3000);
      this.statusChanged();
    } catch (error) {
      void vscode.window.showErrorMessage(`asyncell: restart failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
