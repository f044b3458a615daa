// The output view: one webview panel per document, beside the editor, showing each cell's
// latest run with text, HTML, images, JSON and tracebacks, updated as outputs stream.
// (Why a webview and not an output channel: see README, "Where outputs go".)

import { randomBytes } from 'crypto';
import * as path from 'path';
import * as vscode from 'vscode';

import { page, renderEntries } from './outputHtml';
import type { Results } from './results';

export class OutputPanels implements vscode.Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(private readonly results: Results) {
    results.onChange((doc) => this.schedule(doc));
  }

  /** Opens (or reveals) the view of a document. */
  show(uri: vscode.Uri, preserveFocus: boolean): void {
    const doc = uri.toString();
    const existing = this.panels.get(doc);
    if (existing) {
      if (!preserveFocus) existing.reveal(undefined, false);
      return;
    }
    const title = `asyncell: ${path.basename(uri.path)}`;
    const panel = vscode.window.createWebviewPanel(
      'asyncell.output',
      title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      { enableScripts: true, localResourceRoots: [] },
    );
    this.panels.set(doc, panel);
    this.render(doc, panel);
    panel.onDidChangeViewState(() => {
      if (panel.visible) this.render(doc, panel);
    });
    panel.onDidDispose(() => this.panels.delete(doc));
  }

  /** Opens the view unless the user already has one (or closed it: then only on request). */
  revealOnRun(uri: vscode.Uri, opened: Set<string>): void {
    const doc = uri.toString();
    if (opened.has(doc)) return;
    opened.add(doc);
    this.show(uri, true);
  }

  private render(doc: string, panel: vscode.WebviewPanel): void {
    const nonce = randomBytes(16).toString('base64');
    panel.webview.html = page(panel.title, renderEntries(this.results.entries(doc)), nonce, panel.webview.cspSource);
  }

  /** Coalesces bursts of outputs into one update every 100 ms. */
  private schedule(doc: string): void {
    const panel = this.panels.get(doc);
    if (!panel || this.pending.has(doc)) return;
    this.pending.set(
      doc,
      setTimeout(() => {
        this.pending.delete(doc);
        if (panel.visible) void panel.webview.postMessage({ html: renderEntries(this.results.entries(doc)) });
      }, 100),
    );
  }

  dispose(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    for (const panel of this.panels.values()) panel.dispose();
  }
}
