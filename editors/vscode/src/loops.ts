// Which loop a notebook controller promises, against the loop the server will run. Pure.
//
// The server picks a document's loop itself: `%autoawait` in the notebook, else the
// `asyncell.loop` setting (or pyproject.toml), else the imports (trio, else asyncio).
// `asyncell/execute` takes no loop, so a controller cannot force one: when they disagree
// the cell is not run and the user is told how to make them agree.

import type { HostStatus } from './protocol';

export type LoopName = 'trio' | 'asyncio';

export const LOOPS: LoopName[] = ['trio', 'asyncio'];

export function controllerLabel(loop: LoopName): string {
  return `asyncell: persistent ${loop} loop`;
}

export function controllerId(loop: LoopName): string {
  return `asyncell-${loop}`;
}

export function loopMismatch(wanted: LoopName, status: HostStatus | undefined): string | undefined {
  const actual = status?.loop;
  if (!actual || actual === wanted) return undefined;
  const running = status && (status.state === 'idle' || status.state === 'busy');
  return (
    `This notebook runs on the ${actual} loop${running ? ' (its host is running)' : ''}, ` +
    `but the selected kernel is "${controllerLabel(wanted)}". ` +
    `Select "${controllerLabel(actual)}", or make the notebook use ${wanted}: put ` +
    `\`%autoawait ${wanted}\` in its first cell (or set "asyncell.loop": "${wanted}"), then restart.`
  );
}
