// The Variables view (panel "asyncell"): the live namespace of the active notebook or
// `# %%` file from `asyncell/variables`, refreshed every second while the view is visible,
// so values change while a cell awaits (a heartbeat's counter climbs).

import * as vscode from 'vscode';

import { Methods, type Variable, type VariablesReply } from './protocol';
import type { Server } from './server';
import { activeDocument } from './statusBar';
import { variableRow, variablesMessage } from './variableRow';

const REFRESH_MS = 1000;
const PAGE = 500;

export class VariablesView implements vscode.TreeDataProvider<Variable>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Variable>;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private variables: Variable[] = [];
  /** The document shown: the last active notebook or Python file (focusing the view keeps it). */
  private document: vscode.Uri | undefined;
  private inFlight = false;

  constructor(private readonly server: Server) {
    this.view = vscode.window.createTreeView('asyncell.variables', { treeDataProvider: this, showCollapseAll: false });
    this.disposables.push(
      this.view,
      this.changed,
      this.view.onDidChangeVisibility(() => this.schedule(0)),
      vscode.window.onDidChangeActiveNotebookEditor(() => this.schedule(0)),
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule(0)),
    );
  }

  /** Opens (and focuses) the view. */
  async show(): Promise<void> {
    await vscode.commands.executeCommand('asyncell.variables.focus');
    this.schedule(0);
  }

  refresh(): void {
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.view.visible) return;
    this.timer = setTimeout(() => void this.poll(), ms);
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      this.document = activeDocument() ?? this.document;
      let reply: VariablesReply | undefined;
      let problem: string | undefined;
      if (this.document && this.server.running) {
        try {
          reply = await this.server.request(Methods.variables, {
            textDocument: { uri: this.server.uri(this.document) },
            limit: PAGE,
          });
        } catch (error) {
          problem = error instanceof Error ? error.message : String(error);
        }
      }
      this.variables = reply?.variables ?? [];
      this.view.message = variablesMessage(reply, problem);
      this.view.description = this.document ? vscode.workspace.asRelativePath(this.document) : undefined;
      this.changed.fire();
    } finally {
      this.inFlight = false;
      this.schedule(REFRESH_MS);
    }
  }

  getTreeItem(variable: Variable): vscode.TreeItem {
    const row = variableRow(variable);
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.iconPath = new vscode.ThemeIcon(row.icon);
    item.id = variable.name;
    return item;
  }

  getChildren(element?: Variable): Variable[] {
    return element ? [] : this.variables;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
