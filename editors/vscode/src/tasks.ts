// "Show Background Tasks": a quick pick of the document's tasks; picking a running one
// offers to cancel it (`asyncell/cancelTask`).

import * as vscode from 'vscode';

import { duration } from './format';
import { cancelNotice } from './notices';
import { Methods, type TaskInfo } from './protocol';
import type { Server } from './server';

const ICONS: Record<string, string> = {
  running: '$(sync~spin)',
  failed: '$(error)',
  done: '$(pass)',
  cancelled: '$(circle-slash)',
};

interface TaskItem extends vscode.QuickPickItem {
  task: TaskInfo;
}

export function taskItem(task: TaskInfo, now: number): TaskItem {
  const age = task.startedAt ? ` · started ${duration(now - task.startedAt * 1000)} ago` : '';
  return {
    label: `${ICONS[task.state] ?? '$(circle-outline)'} ${task.name || task.id}`,
    description: `${task.state}${age}`,
    detail: `task ${task.id}${task.startedBy ? `, started by execution ${task.startedBy}` : ''}`,
    task,
  };
}

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
