// What the status bar item says for a document's host. Pure.

import { duration, plural } from './format';
import type { HostStatus } from './protocol';

export interface StatusView {
  text: string;
  tooltip: string;
  /** Whether the view changes by itself (elapsed time), so it is redrawn every second. */
  ticking: boolean;
  warning: boolean;
}

/**
 * The server's status with what the client knows sooner: a run it started is busy from
 * its first moment (also on a host that is not started yet, or dead: the run starts a new
 * one), and one whose reply came is over, before a status request can say so (and between
 * two polls).
 */
export function withLocalRun(
  status: HostStatus | undefined,
  local: { executionId: string } | undefined,
  finished: (executionId: string) => boolean = () => false,
): HostStatus | undefined {
  if (!status) return status;
  // A run on a dead host starts a fresh one (the server's next answer says so).
  if (local) return status.state === 'busy' ? status : { ...status, state: 'busy', executionId: local.executionId };
  if (status.state === 'busy' && status.executionId && !status.queued && finished(status.executionId)) {
    return { ...status, state: 'idle', executionId: null };
  }
  return status;
}

export function statusView(
  status: HostStatus | undefined,
  busySince: number | undefined,
  now: number,
): StatusView {
  if (!status) {
    return { text: '$(circle-outline) asyncell', tooltip: 'asyncell: no status yet', ticking: false, warning: false };
  }
  const loop = status.loop ?? 'loop?';
  const running = status.tasks.filter((task) => task.state === 'running').length;
  const tasks = running ? ` · ${plural(running, 'task')}` : '';
  const python = status.python ? `\nPython: ${status.python}${status.pythonVersion ? ` (${status.pythonVersion.split(' ')[0]})` : ''}` : '';
  const click = '\nClick for background tasks.';
  switch (status.state) {
    case 'busy': {
      const elapsed = busySince !== undefined ? ` ${duration(now - busySince)}` : '';
      const queued = status.queued ? ` (+${status.queued} queued)` : '';
      return {
        text: `$(sync~spin) ${loop}: busy${elapsed}${queued}${tasks}`,
        tooltip: `asyncell: a cell is running on the persistent ${loop} loop${python}${click}`,
        ticking: true,
        warning: false,
      };
    }
    case 'idle':
      return {
        text: `$(pass-filled) ${loop}: idle${tasks}`,
        tooltip: `asyncell: the persistent ${loop} loop is idle (pid ${status.pid})${python}${click}`,
        ticking: false,
        warning: false,
      };
    case 'starting':
      return {
        text: `$(loading~spin) ${loop}: starting`,
        tooltip: `asyncell: starting the ${loop} host${python}`,
        ticking: false,
        warning: false,
      };
    case 'dead':
      return {
        text: `$(error) ${loop}: dead`,
        tooltip: `asyncell: the host exited; the next run starts a new one (or use "asyncell: Restart")${python}`,
        ticking: false,
        warning: true,
      };
    default:
      return {
        text: `$(circle-outline) ${loop}: not started`,
        tooltip: `asyncell: the ${loop} host starts with the first cell you run${python}`,
        ticking: false,
        warning: false,
      };
  }
}
