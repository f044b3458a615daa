// The status bar item: the active document's loop, host state (with the running cell's
// elapsed time) and background task count. Clicking it shows the tasks.

import * as vscode from 'vscode';

import { type HostStatus, Methods } from './protocol';
import type { Server } from './server';
import { statusView, withLocalRun } from './statusText';

/** The document whose host the status bar shows: the active notebook or Python file. */
export function activeDocument(): vscode.Uri | undefined {
  const notebook = vscode.window.activeNotebookEditor?.notebook;
  const editor = vscode.window.activeTextEditor;
  if (notebook && notebook.notebookType === 'jupyter-notebook') {
    if (!editor || editor.document.uri.scheme === 'vscode-notebook-cell') return notebook.uri;
  }
  if (editor && editor.document.languageId === 'python' && ['file', 'untitled'].includes(editor.document.uri.scheme)) {
    return editor.document.uri;
  }
  return undefined;
}

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('asyncell.status', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The server's last answer per document, so a switch of editor, or a run the client
   * starts, redraws at once from what is known rather than after the next answer. */
  private readonly statuses = new Map<string, HostStatus>();
  private status: HostStatus | undefined;
  /** The document `status` is about. */
  private uri: vscode.Uri | undefined;
  /** Polls answered out of order must not draw an older status over a newer one. */
  private generation = 0;
  /** When each execution was first seen running (the client's own, or the server's). */
  private readonly since = new Map<string, number>();

  constructor(
    private readonly server: Server,
    /** When the client started an execution, if it did. */
    private readonly startedAt: (executionId: string) => number | undefined,
    /** The document's execution the client started and is running, if any. */
    private readonly localRun: (doc: string) => { executionId: string } | undefined = () => undefined,
    /** Whether the client saw the execution's reply. */
    private readonly finished: (executionId: string) => boolean = () => false,
  ) {
    this.item.name = 'asyncell';
    this.item.command = 'asyncell.tasks.show';
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.refresh()),
      vscode.window.onDidChangeActiveNotebookEditor(() => this.refresh()),
    );
    this.refresh();
  }

  /** Redraws at once from what is known, then asks the server. */
  refresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const uri = activeDocument();
    const known = uri && this.statuses.get(uri.toString());
    if (uri && known && this.server.running) {
      this.status = known;
      this.uri = uri;
      this.render();
      this.item.show();
    }
    void this.poll();
  }

  private async poll(): Promise<void> {
    const uri = activeDocument();
    if (!uri || !this.server.running) {
      this.item.hide();
      this.schedule(3000);
      return;
    }
    const generation = ++this.generation;
    let status: HostStatus | undefined;
    try {
      status = await this.server.request(Methods.status, { textDocument: { uri: this.server.uri(uri) } });
    } catch {
      status = undefined;
    }
    if (generation !== this.generation) return;
    if (status) this.statuses.set(uri.toString(), status);
    else this.statuses.delete(uri.toString());
    if (this.statuses.size > 100) this.statuses.clear();
    this.status = status;
    this.uri = uri;
    this.render();
    this.item.show();
    const active = this.status?.state === 'busy' || this.status?.state === 'starting';
    this.schedule(active ? 1000 : 4000);
  }

  private render(): void {
    const status = withLocalRun(this.status, this.uri && this.localRun(this.uri.toString()), this.finished);
    let busySince: number | undefined;
    if (status?.state === 'busy' && status.executionId) {
      if (!this.since.has(status.executionId)) {
        this.since.set(status.executionId, this.startedAt(status.executionId) ?? Date.now());
      }
      busySince = this.since.get(status.executionId);
    }
    if (this.since.size > 200) this.since.clear();
    const view = statusView(status, busySince, Date.now());
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor = view.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), ms);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
