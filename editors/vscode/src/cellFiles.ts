// `# %%` cell files: running cells (commands, Shift+Enter, the server's code lenses) and
// the result summary of each cell, a code lens on its marker line. Full outputs go to the
// output view.

import * as vscode from 'vscode';

import { stripAnsi } from './ansi';
import { type Cell, cellAt, cells, codeCells, newCellText } from './cells';
import { truncate } from './format';
import { outputText } from './outputs';
import { interruptNotice, RESTART, restartNotice } from './notices';
import { type ExecResult, Methods, type NbOutput, type OutputParams } from './protocol';
import type { Result, Results } from './results';
import type { Router } from './router';
import type { Server } from './server';
import { summary } from './summary';

const MARKER = /^\s*#\s*%%/m;

export function isCellFile(document: vscode.TextDocument): boolean {
  return (
    document.languageId === 'python' &&
    (document.uri.scheme === 'file' || document.uri.scheme === 'untitled') &&
    MARKER.test(document.getText())
  );
}

function key(codeIndex: number): string {
  return `cell:${codeIndex}`;
}

function label(cell: Cell): string {
  return `Cell ${cell.codeIndex + 1} (line ${cell.startLine + 1})${cell.title ? `: ${cell.title}` : ''}`;
}

export interface CellFileHooks {
  /** A run of this document began: show its output view (without taking focus). */
  revealOutput(document: vscode.TextDocument): void;
  /** Refresh the status bar now. */
  statusChanged(): void;
}

export class CellFiles implements vscode.Disposable {
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  private lensTimer: NodeJS.Timeout | undefined;
  private readonly queues = new Map<string, Promise<void>>();
  private readonly epochs = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [];
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly server: Server,
    private readonly router: Router,
    private readonly results: Results,
    private readonly hooks: CellFileHooks,
  ) {
    this.disposables.push(
      this.lensesChanged,
      // Any document: ranked after the server's lenses (a `python` selector scores higher),
      // so a marker line reads "▶ Run cell | Run above | ✓ [3] 12 ms · 42".
      vscode.languages.registerCodeLensProvider(
        { language: '*' },
        { onDidChangeCodeLenses: this.lensesChanged.event, provideCodeLenses: (document) => this.lenses(document) },
      ),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document === vscode.window.activeTextEditor?.document) this.updateContext();
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateContext()),
    );
    results.onChange(() => this.refreshLenses());
    this.updateContext();
  }

  private updateContext(): void {
    const document = vscode.window.activeTextEditor?.document;
    void vscode.commands.executeCommand('setContext', 'asyncell.cellFile', !!document && isCellFile(document));
  }

  // ---- running -------------------------------------------------------------------------

  private epoch(document: vscode.TextDocument): number {
    return this.epochs.get(document.uri.toString()) ?? 0;
  }

  /** Runs code cells (by index among code cells) in order, stopping at the first failure. */
  run(document: vscode.TextDocument, indices: number[]): Promise<void> {
    const doc = document.uri.toString();
    const all = cells(document.getText());
    const byIndex = new Map(codeCells(all).map((cell) => [cell.codeIndex, cell]));
    const wanted = indices.filter((index) => byIndex.has(index));
    if (wanted.length === 0) return Promise.resolve();
    for (const index of wanted) {
      const cell = byIndex.get(index)!;
      this.results.queue(doc, key(index), label(cell), index);
    }
    this.hooks.revealOutput(document);
    const epoch = this.epoch(document);
    const run = (this.queues.get(doc) ?? Promise.resolve()).then(async () => {
      let stop = false;
      for (const index of wanted) {
        if (stop || this.epoch(document) !== epoch) {
          this.results.skip(doc, key(index));
          continue;
        }
        stop = !(await this.runOne(document, index));
      }
    });
    this.queues.set(doc, run.catch(() => undefined));
    return run;
  }

  private async runOne(document: vscode.TextDocument, index: number): Promise<boolean> {
    const doc = document.uri.toString();
    const id = this.router.nextId();
    let streamed = 0;
    this.results.start(doc, key(index), id, Date.now());
    this.router.register(id, {
      output: (params: OutputParams) => {
        streamed += 1;
        this.results.output(params.executionId, params.output);
      },
    });
    this.startTicker();
    this.hooks.statusChanged();
    let reply: ExecResult;
    try {
      reply = await this.server.request(Methods.execute, {
        textDocument: { uri: this.server.uri(document.uri) },
        cell: index,
        executionId: id,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const output: NbOutput = { output_type: 'error', ename: 'ExecuteFailed', evalue: message, traceback: [] };
      reply = { executionId: id, executionCount: null, status: 'error', outputs: [output], durationMs: 0 };
      streamed = 0;
    }
    // Later outputs of this id come from background tasks the cell started.
    this.router.handOver(id, undefined);
    this.results.finish(doc, key(index), reply, streamed > 0);
    this.hooks.statusChanged();
    return reply.status === 'ok';
  }

  /** The code cell at the cursor, or a message saying why there is none. */
  private cellAtCursor(editor: vscode.TextEditor): Cell | undefined {
    const cell = cellAt(cells(editor.document.getText()), editor.selection.active.line);
    if (!cell || !cell.isCode) {
      void vscode.window.showInformationMessage('asyncell: the cursor is not in a code cell');
      return undefined;
    }
    return cell;
  }

  /** Shift+Enter and "Run Cell": run the cell under the cursor, then move to the next. */
  async runAtCursor(editor: vscode.TextEditor, advance: boolean): Promise<void> {
    const cell = this.cellAtCursor(editor);
    if (!cell) return;
    const running = this.run(editor.document, [cell.codeIndex]);
    if (advance) {
      const all = cells(editor.document.getText());
      const next = all.find((c) => c.startLine >= cell.endLine);
      if (next) {
        const line = Math.min(next.startLine + 1, editor.document.lineCount - 1);
        const position = new vscode.Position(line, 0);
        editor.selection = new vscode.Selection(position, position);
        editor.revealRange(new vscode.Range(position, position));
      } else {
        // After the last cell, as in Jupyter: a new empty cell at the end to type into.
        await this.appendCell(editor);
      }
    }
    await running;
  }

  /**
   * Appends an empty `# %%` cell and puts the cursor in it, in one step (a snippet), so
   * that what the user types next lands there. The run already queued is unaffected: the
   * cells before the new one keep their indices.
   */
  private async appendCell(editor: vscode.TextEditor): Promise<void> {
    const document = editor.document;
    const text = document.getText();
    const last = document.lineAt(document.lineCount - 1);
    // A snippet takes the indentation of the line it goes into: start it on an empty
    // last line (the document ends with a line break), adding that line break if needed.
    const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    if (last.text.length > 0) {
      await editor.edit((edit) => edit.insert(last.range.end, eol), { undoStopBefore: true, undoStopAfter: false });
    }
    const insert = newCellText(text.endsWith('\n') || text.length === 0 ? text : text + eol);
    const snippet = new vscode.SnippetString().appendText(insert).appendTabstop(0);
    await editor.insertSnippet(snippet, new vscode.Position(document.lineCount - 1, 0), { undoStopBefore: false, undoStopAfter: true });
    const end = new vscode.Position(document.lineCount - 1, 0);
    editor.revealRange(new vscode.Range(end, end));
  }

  async runAbove(editor: vscode.TextEditor): Promise<void> {
    const cell = cellAt(cells(editor.document.getText()), editor.selection.active.line);
    if (!cell) return;
    const above = codeCells(cells(editor.document.getText())).filter((c) => c.startLine < cell.startLine);
    await this.run(editor.document, above.map((c) => c.codeIndex));
  }

  /** The cell under the cursor and every code cell below it. */
  async runBelow(editor: vscode.TextEditor): Promise<void> {
    const cell = this.cellAtCursor(editor);
    if (!cell) return;
    const below = codeCells(cells(editor.document.getText())).filter((c) => c.startLine >= cell.startLine);
    await this.run(editor.document, below.map((c) => c.codeIndex));
  }

  async runAll(document: vscode.TextDocument): Promise<void> {
    await this.run(document, codeCells(cells(document.getText())).map((c) => c.codeIndex));
  }

  /** The server's code lens commands (`asyncell.runCell` / `asyncell.runAbove`, [uri, index]). */
  async runFromLens(uri: string, index: number, above: boolean): Promise<void> {
    const document = vscode.workspace.textDocuments.find((d) => this.server.uri(d.uri) === uri || d.uri.toString() === uri);
    if (!document) return;
    const indices = above ? [...Array(index).keys()] : [index];
    await this.run(document, indices);
  }

  async interrupt(document: vscode.TextDocument): Promise<void> {
    const doc = document.uri.toString();
    this.epochs.set(doc, this.epoch(document) + 1);
    const outcome = await this.server.request(Methods.interrupt, {
      textDocument: { uri: this.server.uri(document.uri) },
    });
    const notice = interruptNotice(outcome);
    if (notice?.level === 'warning') {
      const choice = await vscode.window.showWarningMessage(notice.text, ...notice.actions);
      if (choice === RESTART) await this.restart(document);
    } else if (notice) {
      vscode.window.setStatusBarMessage(notice.text, 3000);
    }
  }

  async restart(document: vscode.TextDocument): Promise<void> {
    const doc = document.uri.toString();
    this.epochs.set(doc, this.epoch(document) + 1);
    const reply = await this.server.request(Methods.restart, {
      textDocument: { uri: this.server.uri(document.uri) },
    });
    vscode.window.setStatusBarMessage(restartNotice(reply).text, 3000);
    this.hooks.statusChanged();
  }

  // ---- summaries ---------------------------------------------------------------------

  private startTicker(): void {
    if (this.ticker) return;
    this.ticker = setInterval(() => {
      const anyRunning = vscode.window.visibleTextEditors.some((editor) =>
        this.results.entries(editor.document.uri.toString()).some((r) => r.state === 'running'),
      );
      this.refreshLenses();
      if (!anyRunning && this.ticker) {
        clearInterval(this.ticker);
        this.ticker = undefined;
      }
    }, 1000);
  }

  /** Asks VS Code for the lenses again, at most every 100 ms (outputs may stream fast). */
  private refreshLenses(): void {
    if (this.lensTimer) return;
    this.lensTimer = setTimeout(() => {
      this.lensTimer = undefined;
      this.lensesChanged.fire();
    }, 100);
  }

  /**
   * A code lens per cell with a result, on the cell's marker line, after the server's
   * "Run cell" lenses. VS Code caps a lens line at the editor's content width (and clips it
   * there), so a summary never runs past the editor's edge, as an `after` decoration at the
   * end of a long line did. Its tooltip holds the whole line and the text output; clicking
   * it opens the output view.
   */
  private lenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const entries = this.results.entries(document.uri.toString());
    if (entries.length === 0 || !isCellFile(document)) return [];
    const byIndex = new Map(codeCells(cells(document.getText())).map((c) => [key(c.codeIndex), c]));
    const now = Date.now();
    const lenses: vscode.CodeLens[] = [];
    for (const result of entries) {
      const cell = byIndex.get(result.key);
      if (!cell) continue;
      const line = Math.min(cell.startLine, document.lineCount - 1);
      const text = summary(result, now);
      lenses.push(
        new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
          // `$(name)` in a lens title is an icon: the summary's `$(` is text.
          title: text.replace(/\$\(/g, '\\$('),
          tooltip: tooltip(result, text),
          command: 'asyncell.output.show',
          arguments: [],
        }),
      );
    }
    return lenses;
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker);
    if (this.lensTimer) clearTimeout(this.lensTimer);
    for (const d of this.disposables) d.dispose();
  }
}

/** The tooltip of a summary: the cell, the whole summary line and its text output. */
function tooltip(result: Result, line: string): string {
  const text = stripAnsi(result.outputs.map((o: NbOutput) => outputText(o)).join('')).trimEnd();
  return [result.label, line, text ? truncate(text, 4000) : '', 'Click for the output view.'].filter(Boolean).join('\n\n');
}
