// What the user is told about asyncell/event notifications and the replies of
// interrupt, restart and cancelTask. Pure (no `vscode` import): events.ts, cellFiles.ts,
// notebook.ts and tasks.ts show these as notifications or status bar messages.

import { stripAnsi } from './ansi';
import type { CancelReply, EventParams, InterruptOutcome, RestartResult } from './protocol';

export const SHOW_TRACEBACK = 'Show traceback';
export const RESTART = 'Restart';

/** A message to show: `error`/`warning` as a notification with actions, `status` in the status bar. */
export interface Notice {
  level: 'error' | 'warning' | 'status';
  text: string;
  actions: string[];
}

/** A failed background task is an error notification; the other events only refresh the status bar. */
export function eventNotice(event: EventParams): Notice | undefined {
  if (event.kind !== 'taskFailed') return undefined;
  return { level: 'error', text: `asyncell: ${event.message}`, actions: event.traceback ? [SHOW_TRACEBACK] : [] };
}

/** The read-only document "Show traceback" opens. */
export function tracebackDocument(event: EventParams): string {
  return `${event.message}\n\n${stripAnsi(event.traceback ?? '(no traceback)')}\n`;
}

/** After an interrupt: offer a restart when the cell is stuck, say so when nothing ran. */
export function interruptNotice(outcome: InterruptOutcome): Notice | undefined {
  if (outcome.restartSuggested) return { level: 'warning', text: `asyncell: ${outcome.message}`, actions: [RESTART] };
  if (!outcome.interrupted) {
    return { level: 'status', text: `asyncell: ${outcome.message || 'nothing to interrupt'}`, actions: [] };
  }
  return undefined;
}

export function restartNotice(reply: RestartResult): Notice {
  return { level: 'status', text: `asyncell: restarted (pid ${reply.pid})`, actions: [] };
}

export function cancelNotice(task: string, reply: CancelReply): Notice {
  if (reply.cancelled) return { level: 'status', text: `asyncell: cancelled ${task}`, actions: [] };
  return { level: 'warning', text: `asyncell: could not cancel the task${reply.message ? `: ${reply.message}` : ''}`, actions: [] };
}
