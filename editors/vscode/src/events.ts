// `asyncell/event`: failed background tasks become notifications with "Show traceback".

import * as vscode from 'vscode';

import { stripAnsi } from './ansi';
import type { EventParams } from './protocol';

export async function showTraceback(event: EventParams): Promise<void> {
  const content = `${event.message}\n\n${stripAnsi(event.traceback ?? '(no traceback)')}\n`;
  const document = await vscode.workspace.openTextDocument({ content, language: 'plaintext' });
  await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}

export function handleEvent(event: EventParams): void {
  if (event.kind !== 'taskFailed') return;
  const actions = event.traceback ? ['Show traceback'] : [];
  void vscode.window.showErrorMessage(`asyncell: ${event.message}`, ...actions).then((choice) => {
    if (choice === 'Show traceback') void showTraceback(event);
  });
}
