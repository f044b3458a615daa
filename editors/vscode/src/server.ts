// The language client: finding and starting the `asyncell` binary, settings forwarding,
// and the asyncell requests and notifications everything else goes through.

import * as fs from 'fs';
import * as os from 'os';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  type Middleware,
  type ServerOptions,
  State,
} from 'vscode-languageclient/node';

import { INSTALL_HINT, locate } from './binary';
import { type EventParams, Methods, type OutputParams } from './protocol';
import {
  expandPath,
  serverPayload,
  type ServerPayload,
  serverSettings,
  type ServerSettings,
  userValue,
} from './settings';

export const SECTION = 'asyncell';

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Settings the user set (any scope), read through `inspect` so defaults are not sent. */
export function currentSettings(): ServerSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const trusted = vscode.workspace.isTrusted;
  return serverSettings((key) => userValue(key, config.inspect(key), trusted));
}

/** The settings and VS Code's workspace trust, as the server takes them. */
export function currentPayload(): ServerPayload {
  return serverPayload(currentSettings(), vscode.workspace.isTrusted);
}

export interface ServerHooks {
  middleware: Middleware;
  onOutput(params: OutputParams): void;
  onEvent(params: EventParams): void;
  onStateChange(running: boolean): void;
}

export class Server implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;
  private missing: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly log: vscode.OutputChannel,
    private readonly hooks: ServerHooks,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${SECTION}.path`)) {
          void this.restartClient();
        } else if (event.affectsConfiguration(SECTION)) {
          void this.sendSettings();
        }
      }),
      // Trust granted: the workspace's `.venv` (and its `asyncell.python`) may now run
      // cells; hosts started from here on use it.
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.sendSettings()),
    );
  }

  /** Starts the client once; later calls wait for the same start. */
  start(): Promise<LanguageClient | undefined> {
    this.starting ??= this.doStart();
    return this.starting;
  }

  /** Why the server is not running, when it is not. */
  get problem(): string | undefined {
    return this.missing;
  }

  private binaryPath(): string | undefined {
    const setting = vscode.workspace.getConfiguration(SECTION).get<string>('path')?.trim();
    if (!setting) return undefined;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return expandPath(setting, os.homedir(), folder);
  }

  private async doStart(): Promise<LanguageClient | undefined> {
    const found = locate(this.binaryPath(), process.env.PATH, isExecutable);
    if (!found.ok) {
      this.missing = found.message;
      this.log.appendLine(found.message);
      void vscode.window
        .showErrorMessage(found.message, 'Open Settings', 'Copy Install Command')
        .then((choice) => {
          if (choice === 'Open Settings') {
            void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.path`);
          } else if (choice === 'Copy Install Command') {
            void vscode.env.clipboard.writeText('cargo install --path server');
          }
        });
      return undefined;
    }
    this.missing = undefined;
    this.log.appendLine(`starting ${found.path}`);
    // No `transport`: with TransportKind.stdio the client would add `--stdio`, which the
    // server does not take (it speaks LSP on stdio when started without a command).
    const serverOptions: ServerOptions = { command: found.path, args: [] };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'python' },
        { scheme: 'untitled', language: 'python' },
        { scheme: 'vscode-notebook-cell', language: 'python' },
      ],
      initializationOptions: currentPayload(),
      outputChannel: this.log,
      middleware: this.hooks.middleware,
    };
    const client = new LanguageClient(SECTION, 'asyncell', serverOptions, clientOptions);
    client.onNotification(Methods.output, (params: OutputParams) => this.hooks.onOutput(params));
    client.onNotification(Methods.event, (params: EventParams) => this.hooks.onEvent(params));
    client.onDidChangeState((event) => this.hooks.onStateChange(event.newState === State.Running));
    try {
      await client.start();
    } catch (error) {
      this.missing = `asyncell: the server ${found.path} failed to start: ${String(error)}. ${INSTALL_HINT}`;
      void vscode.window.showErrorMessage(this.missing);
      return undefined;
    }
    this.client = client;
    return client;
  }

  private async sendSettings(): Promise<void> {
    const client = this.client;
    if (!client || !client.isRunning()) return;
    await client.sendNotification(DidChangeConfigurationNotification.type, {
      settings: currentPayload(),
    });
  }

  async restartClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.starting = undefined;
    if (client) await client.stop().catch(() => undefined);
    await this.start();
  }

  /** A request to the server; throws with a readable message when it is not running. */
  async request<R>(method: string, params: unknown): Promise<R> {
    const client = await this.start();
    if (!client) throw new Error(this.missing ?? 'asyncell: the language server is not running');
    return client.sendRequest<R>(method, params);
  }

  /** The URI string the server knows a document by. */
  uri(uri: vscode.Uri): string {
    return this.client ? this.client.code2ProtocolConverter.asUri(uri) : uri.toString();
  }

  get running(): boolean {
    return this.client?.isRunning() ?? false;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    void this.client?.stop();
  }
}
