// The asyncell LSP extension as the client uses it. Every message type comes from
// protocol.generated.ts, which scripts/gen-protocol.mjs generates from
// docs/schema/lsp-extension.schema.json (the server's own types; docs/protocol.md section
// 1 describes the semantics). Only client-side names live here.

import { Notifications, Requests } from './protocol.generated';

export type {
  CancelReply,
  DocumentParams,
  EventKind,
  EventParams,
  ExecResult,
  ExecStatus,
  ExecuteParams,
  HostStatus,
  InterruptOutcome,
  NbOutput,
  NotificationMethod,
  NotificationParams,
  OutputParams,
  RequestMethod,
  RequestParams,
  RequestResult,
  RestartResult,
  TaskInfo,
  Variable,
  VariablesReply,
} from './protocol.generated';
export { IMAGE_MIME_TYPES } from './protocol.generated';

/** Every asyncell/* method the client sends or handles, by its short name. */
export const Methods = { ...Requests, ...Notifications } as const;

/** The `workspace/executeCommand` commands the server's code lenses carry. */
export const ServerCommands = {
  runCell: 'asyncell.runCell',
  runAbove: 'asyncell.runAbove',
  interrupt: 'asyncell.interrupt',
  restart: 'asyncell.restart',
} as const;
