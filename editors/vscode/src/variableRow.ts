// What the variables view shows for one live variable. Pure.

import { truncate } from './format';
import type { Variable, VariablesReply } from './protocol';

export interface VariableRow {
  label: string;
  /** Beside the name: type, size and the start of the repr. */
  description: string;
  /** The whole repr (at most the server's 200 characters). */
  tooltip: string;
  /** A codicon for the kind of object. */
  icon: string;
}

const ICONS: Record<Variable['kind'], string> = {
  coroutine: 'symbol-event',
  task: 'pulse',
  trio: 'symbol-namespace',
  function: 'symbol-method',
  class: 'symbol-class',
  value: 'symbol-variable',
};

export function variableRow(variable: Variable): VariableRow {
  const size = variable.size ? ` · ${variable.size}` : '';
  const repr = variable.repr.replace(/\s+/g, ' ');
  return {
    label: variable.name,
    description: `${variable.type}${size} = ${truncate(repr, 80)}`,
    tooltip: `${variable.name}: ${variable.type}${size}\n${variable.repr}`,
    icon: ICONS[variable.kind] ?? 'symbol-variable',
  };
}

/** The view's message: how many names it shows, or why it shows none. */
export function variablesMessage(reply: VariablesReply | undefined, problem: string | undefined): string | undefined {
  if (problem) return problem;
  if (!reply) return 'Open a notebook or a `# %%` file and run a cell to see its variables.';
  if (reply.total === 0) return 'No variables yet.';
  if (reply.total > reply.variables.length) return `The first ${reply.variables.length} of ${reply.total} names.`;
  return undefined;
}
