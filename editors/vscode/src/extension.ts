// Activation: wires the language client, the notebook controllers, the `# %%` runner,
// the output view, the status bar and the commands together.

import * as vscode from 'vscode';

import { CellFiles, isCellFile } from './cellFiles';
import { TaskEvents } from './events';
import { NotebookKernels } from './notebook';
import { OutputPanels } from './outputPanel';
import { type OutputParams, ServerCommands } from './protocol';
import { Results } from './results';
import { Router } from './router';
import { Server } from './server';
import { StatusBar, activeDocument } from './statusBar';
import { showTasks } from './tasks';
import { VariablesView } from './variables';
import { describeServer } from './version';

function isNotebookCell(value: unknown): value is vscode.NotebookCell {
  return typeof value === 'object' && value !== null && 'notebook' in value && 'index' in value && 'document' in value;
}

export interface Api {
  server: Server;
}

export function activate(context: vscode.ExtensionContext): Api {
  const log = vscode.window.createOutputChannel('asyncell');
  const results = new Results();
  const panels = new OutputPanels(results);
  const opened = new Set<string>();

  // Outputs nobody registered for (e.g. an execution another client started) still reach
  // the output view when the document has an entry for them; else the log.
  const router = new Router({
    output: (params: OutputParams) => {
      if (!results.output(params.executionId, params.output)) {
        log.appendLine(`[output ${params.executionId}${params.taskId ? ` task ${params.taskId}` : ''}] ${JSON.stringify(params.output).slice(0, 500)}`);
      }
    },
  });

  const taskEvents = new TaskEvents();
  let cellFiles: CellFiles | undefined;
  let statusBar: StatusBar | undefined;
  let kernels: NotebookKernels | undefined;

  const server = new Server(log, {
    middleware: {
      // The server's code lenses carry `asyncell.runCell` / `asyncell.runAbove` with
      // [uri, cellIndex]: run them here, so results show as cell summaries and in the view.
      executeCommand: async (command, args, next) => {
        const [uri, index] = args as [string, number];
        if (cellFiles && typeof uri === 'string' && typeof index === 'number') {
          if (command === ServerCommands.runCell) return cellFiles.runFromLens(uri, index, false);
          if (command === ServerCommands.runAbove) return cellFiles.runFromLens(uri, index, true);
        }
        return next(command, args);
      },
    },
    onOutput: (params) => router.dispatch(params),
    onEvent: (params) => {
      // A notebook shows a failed task's traceback in the cell that started the task.
      const inNotebook = vscode.workspace.notebookDocuments.some((n) => server.uri(n.uri) === params.textDocument.uri);
      if (!(inNotebook && params.kind === 'taskFailed')) taskEvents.handle(params);
      statusBar?.refresh();
    },
    onStateChange: () => statusBar?.refresh(),
  }, { dir: context.extensionPath, version: String(context.extension.packageJSON.version) });

  kernels = new NotebookKernels(server, router, results, () => statusBar?.refresh());
  const variables = new VariablesView(server);
  statusBar = new StatusBar(
    server,
    (id) => results.startedAt(id),
    (doc) => results.running(doc),
    (id) => results.finished(id),
  );
  cellFiles = new CellFiles(server, router, results, {
    revealOutput: (document) => panels.revealOnRun(document.uri, opened),
    statusChanged: () => statusBar?.refresh(),
  });
  context.subscriptions.push(log, taskEvents, panels, server, kernels, statusBar, cellFiles, variables);
  // Within 100 ms of a run starting or ending: the status bar knows the client's own runs
  // before the server's status says so.
  results.onState(() => statusBar?.refresh());

  const cellEditor = (): vscode.TextEditor | undefined => {
    const editor = vscode.window.activeTextEditor;
    if (editor && isCellFile(editor.document)) return editor;
    void vscode.window.showInformationMessage('asyncell: open a Python file with `# %%` cells first');
    return undefined;
  };
  const activeNotebook = (): vscode.NotebookDocument | undefined => {
    const notebook = vscode.window.activeNotebookEditor?.notebook;
    return notebook?.notebookType === 'jupyter-notebook' ? notebook : undefined;
  };
  const notebookEditorCell = (): vscode.NotebookCell | undefined => {
    const editor = vscode.window.activeNotebookEditor;
    const index = editor?.selection.start;
    return editor && index !== undefined && index < editor.notebook.cellCount ? editor.notebook.cellAt(index) : undefined;
  };
  /** The notebook a toolbar command means (its argument is the notebook editor's context),
   * or the active one when no `# %%` file has the focus. */
  const notebookFor = (arg: unknown): vscode.NotebookDocument | undefined => {
    const notebook = activeNotebook();
    const text = vscode.window.activeTextEditor;
    if (notebook && (arg !== undefined || !text || text.document.uri.scheme === 'vscode-notebook-cell')) return notebook;
    return undefined;
  };
  const guard =
    <A extends unknown[]>(action: (...args: A) => Promise<unknown> | unknown) =>
    async (...args: A) => {
      try {
        await action(...args);
      } catch (error) {
        void vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error));
      }
    };

  const register = (id: string, action: (...args: never[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, guard(action as (...args: unknown[]) => unknown)));

  register('asyncell.cell.run', async () => {
    const editor = cellEditor();
    if (editor) await cellFiles!.runAtCursor(editor, false);
  });
  register('asyncell.cell.runAndAdvance', async () => {
    const editor = cellEditor();
    if (editor) await cellFiles!.runAtCursor(editor, true);
  });
  register('asyncell.cell.runAbove', async () => {
    const editor = cellEditor();
    if (editor) await cellFiles!.runAbove(editor);
  });
  register('asyncell.cell.runAll', async () => {
    const notebook = activeNotebook();
    if (notebook) {
      await vscode.commands.executeCommand('notebook.execute');
      return;
    }
    const editor = cellEditor();
    if (editor) await cellFiles!.runAll(editor.document);
  });
  register('asyncell.cell.runBelow', async (arg?: unknown) => {
    // From a notebook cell's menu the argument is that cell; from the palette, the selection.
    const notebook = activeNotebook();
    const cell = isNotebookCell(arg) ? arg : notebook && notebookEditorCell();
    if (cell) {
      await vscode.commands.executeCommand('notebook.cell.execute', {
        ranges: [{ start: cell.index, end: cell.notebook.cellCount }],
        document: cell.notebook.uri,
      });
      return;
    }
    const editor = cellEditor();
    if (editor) await cellFiles!.runBelow(editor);
  });
  register('asyncell.kernel.restartAndRunAll', async (arg?: unknown) => {
    const notebook = notebookFor(arg);
    if (notebook) {
      await kernels!.restart(notebook);
      await vscode.commands.executeCommand('notebook.execute', notebook.uri);
      return;
    }
    const editor = cellEditor();
    if (!editor) return;
    await cellFiles!.restart(editor.document);
    await cellFiles!.runAll(editor.document);
  });
  register('asyncell.variables.show', () => variables.show());
  register('asyncell.variables.refresh', () => variables.refresh());
  register('asyncell.kernel.interrupt', async (uri?: vscode.Uri) => {
    const notebook = uri ? vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === uri.toString()) : activeNotebook();
    if (notebook) return kernels!.interrupt(notebook);
    const editor = cellEditor();
    if (editor) await cellFiles!.interrupt(editor.document);
  });
  register('asyncell.kernel.restart', async (arg?: unknown) => {
    const notebook = notebookFor(arg);
    if (notebook) return kernels!.restart(notebook);
    const editor = cellEditor();
    if (editor) await cellFiles!.restart(editor.document);
  });
  register('asyncell.tasks.show', () => showTasks(server, activeDocument()));
  register('asyncell.output.show', () => {
    const uri = activeDocument();
    if (!uri) {
      void vscode.window.showInformationMessage('asyncell: open a Python cell file or a notebook first');
      return;
    }
    opened.add(uri.toString());
    panels.show(uri, false);
  });
  register('asyncell.log.show', () => log.show(true));
  register('asyncell.server.show', async () => {
    await server.start();
    const identity = server.identity;
    if (!identity) throw new Error(server.problem ?? 'asyncell: the language server is not running');
    void vscode.window.showInformationMessage(describeServer(identity.binary, identity.serverVersion, identity.extensionVersion));
  });

  void server.start().then(() => statusBar?.refresh());
  return { server };
}

export function deactivate(): void {
  // Disposables stop the client (and with it every host).
}
