// `asyncell/event`: failed background tasks become notifications with "Show traceback",
// which opens the traceback as a read-only document (nothing to save when closing it).

import * as vscode from 'vscode';

import { SHOW_TRACEBACK, eventNotice, tracebackDocument } from './notices';
import type { EventParams } from './protocol';

const SCHEME = 'asyncell-traceback';

export class TaskEvents implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly tracebacks = new Map<string, string>();
  private counter = 0;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.tracebacks.get(uri.path) ?? '(this traceback is no longer available)';
  }

  async showTraceback(event: EventParams): Promise<void> {
    this.counter += 1;
    const name = `/${event.taskId ?? 'task'}-${this.counter}.txt`;
    this.tracebacks.set(name, tracebackDocument(event));
    const document = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: SCHEME, path: name }));
    await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  handle(event: EventParams): void {
    const notice = eventNotice(event);
    if (!notice) return;
    void vscode.window.showErrorMessage(notice.text, ...notice.actions).then((choice) => {
      if (choice === SHOW_TRACEBACK) void this.showTraceback(event);
    });
  }

  dispose(): void {
    this.registration.dispose();
  }
}
