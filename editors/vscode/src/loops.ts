// Which loop a notebook controller promises, against the loop the server will run. Pure.
//
// The server picks a document's loop itself (`%autoawait` in the notebook, else the
// `asyncell.loop` setting or pyproject.toml, else the imports), and that picks the
// preferred controller. The controller the user selects wins for its notebook: every
// `asyncell/execute` carries its loop, and the server runs the notebook's host on it.

import type { HostStatus } from './protocol';

export type LoopName = 'trio' | 'asyncio';

export const LOOPS: LoopName[] = ['trio', 'asyncio'];

export function controllerLabel(loop: LoopName): string {
  return `asyncell: persistent ${loop} loop`;
}

export function controllerId(loop: LoopName): string {
  return `asyncell-${loop}`;
}

/**
 * What the user is told when running a cell with this controller replaces a host that runs
 * the other loop (namespace and tasks go, as when switching kernels in Jupyter).
 */
export function loopSwitch(wanted: LoopName, status: HostStatus | undefined): string | undefined {
  const actual = status?.loop;
  const live = status && (status.state === 'idle' || status.state === 'busy');
  if (!actual || actual === wanted || !live) return undefined;
  return `asyncell: "${controllerLabel(wanted)}" is selected, so this notebook's ${actual} host was replaced by a ${wanted} one (variables and tasks start afresh)`;
}
