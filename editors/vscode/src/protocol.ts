// The asyncell LSP extensions the client uses (docs/protocol.md section 1; the server side
// is server/src/server/api/requests/ and server/src/server/execution.rs).

/** One nbformat v4 output object, as the host produces it. */
export type NbOutput =
  | { output_type: 'stream'; name: 'stdout' | 'stderr'; text: string | string[] }
  | {
      output_type: 'execute_result';
      execution_count?: number | null;
      data: Record<string, unknown>;
      metadata?: Record<string, unknown>;
    }
  | { output_type: 'display_data'; data: Record<string, unknown>; metadata?: Record<string, unknown> }
  | { output_type: 'error'; ename: string; evalue: string; traceback: string[] };

export interface DocumentParams {
  textDocument: { uri: string };
}

/** `asyncell/execute`: exactly one of `code`, `cell` (0-based code cell) or `position`. */
export interface ExecuteParams extends DocumentParams {
  code?: string;
  cell?: number;
  position?: { line: number; character: number };
  executionId?: string;
}

export type ExecStatus = 'ok' | 'error' | 'cancelled';

/** The reply to `asyncell/execute`: sent after every streamed output of the execution. */
export interface ExecResult {
  executionId: string;
  executionCount: number | null;
  status: ExecStatus;
  /** Every output (capped at 1 MiB); the client shows the streamed ones instead. */
  outputs: NbOutput[];
  durationMs: number;
}

/** `asyncell/output` notification. */
export interface OutputParams extends DocumentParams {
  executionId: string;
  taskId: string | null;
  output: NbOutput;
}

/** `asyncell/event` notification. */
export interface EventParams extends DocumentParams {
  kind: 'taskFailed' | 'taskFinished' | 'hostStarted' | 'hostExited' | string;
  taskId?: string;
  message: string;
  traceback?: string;
  pid?: number;
}

export interface Task {
  id: string;
  name: string;
  state: 'running' | 'failed' | 'done' | 'cancelled' | string;
  startedBy?: string | null;
  startedAt?: number;
}

/** The reply to `asyncell/status`. */
export interface HostStatus {
  state: 'none' | 'starting' | 'idle' | 'busy' | 'dead';
  loop: 'trio' | 'asyncio' | null;
  python: string | null;
  pythonVersion: string | null;
  pid: number | null;
  executionCount: number;
  executionId: string | null;
  queued: number;
  tasks: Task[];
  lastExit: unknown;
}

export interface InterruptOutcome {
  interrupted: boolean;
  how: string;
  executionId: string | null;
  dropped: number;
  restartSuggested: boolean;
  message: string;
}

export const Methods = {
  execute: 'asyncell/execute',
  interrupt: 'asyncell/interrupt',
  restart: 'asyncell/restart',
  shutdown: 'asyncell/shutdown',
  status: 'asyncell/status',
  cancelTask: 'asyncell/cancelTask',
  output: 'asyncell/output',
  event: 'asyncell/event',
} as const;

/** The `workspace/executeCommand` commands the server's code lenses carry. */
export const ServerCommands = {
  runCell: 'asyncell.runCell',
  runAbove: 'asyncell.runAbove',
  interrupt: 'asyncell.interrupt',
  restart: 'asyncell.restart',
} as const;
