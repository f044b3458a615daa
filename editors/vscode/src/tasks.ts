// "Show Background Tasks": a quick pick of the document's tasks; picking a running one
// offers to cancel it (`asyncell/cancelTask`).

import * as vscode from 'vscode';

import { cancelNotice } from './notices';
import { Methods } from './protocol';
import { taskItem } from './taskItem';
import type { Server } from './server';

export async function showTasks(server: Server, uri: vscode.Uri | undefined): Promise<void> {
  if (!uri) {
    void vscode.window.showInformationMessage('asyncell: open a Python cell file or a notebook first');
    return;
  }
  const textDocument = { uri: server.uri(uri) };
  const status = await server.request(Methods.status, { textDocument });
  if (status.tasks.length === 0) {
    void vscode.window.showInformationMessage(
      status.state === 'idle' || status.state === 'busy'
        ? 'asyncell: no background tasks'
        : `asyncell: no host is running for this document (${status.state})`,
    );
    return;
  }
  const now = Date.now();
  const picked = await vscode.window.showQuickPick(
    status.tasks.map((task) => taskItem(task, now)),
    { title: `asyncell: background tasks (${status.loop} loop)`, placeHolder: 'Pick a task to cancel it' },
  );
  if (!picked) return;
  if (picked.task.state !== 'running') {
    void vscode.window.showInformationMessage(`asyncell: task ${picked.task.name} is ${picked.task.state}`);
    return;
  }
  const cancel = `Cancel task "${picked.task.name || picked.task.id}"`;
  const choice = await vscode.window.showQuickPick([cancel, 'Keep it running'], { title: picked.label });
  if (choice !== cancel) return;
  const reply = await server.request(Methods.cancelTask, { textDocument, taskId: picked.task.id });
  const notice = cancelNotice(picked.task.name || picked.task.id, reply);
  if (notice.level === 'status') vscode.window.setStatusBarMessage(notice.text, 3000);
  else void vscode.window.showWarningMessage(notice.text);
}
