// One background task as a line of the "Show Background Tasks" quick pick. Pure.

import type { QuickPickItem } from 'vscode';

import { duration } from './format';
import type { TaskInfo } from './protocol';

const ICONS: Record<TaskInfo['state'], string> = {
  running: '$(sync~spin)',
  failed: '$(error)',
  done: '$(pass)',
  cancelled: '$(circle-slash)',
};

export interface TaskItem extends QuickPickItem {
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
