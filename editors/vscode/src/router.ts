// Routes `asyncell/output` notifications to whoever started the execution, by the
// executionId the client chose. Pure.

import type { OutputParams } from './protocol';

export interface Sink {
  output(params: OutputParams): void;
}

export class Router {
  private readonly sinks = new Map<string, Sink>();
  private counter = 0;
  private readonly prefix: string;

  constructor(
    private readonly fallback: Sink,
    prefix = `vscode-${Date.now().toString(36)}`,
  ) {
    this.prefix = prefix;
  }

  /** A fresh executionId (unique for this client session). */
  nextId(): string {
    this.counter += 1;
    return `${this.prefix}-${this.counter}`;
  }

  register(id: string, sink: Sink): void {
    this.sinks.set(id, sink);
  }

  /** The execution's own sink is done; later outputs (background tasks) go to `next`. */
  handOver(id: string, next: Sink | undefined): void {
    if (next) this.sinks.set(id, next);
    else this.sinks.delete(id);
  }

  dispatch(params: OutputParams): void {
    (this.sinks.get(params.executionId) ?? this.fallback).output(params);
  }

  get size(): number {
    return this.sinks.size;
  }
}
