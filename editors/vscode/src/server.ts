// The language client: finding and starting the `asyncell` binary (the order is in
// binary.ts), settings forwarding, and the asyncell requests and notifications everything
// else goes through.

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

import { type Found, INSTALL_COMMAND, INSTALL_HINT, locate } from './binary';
import { type EventParams, Methods, type OutputParams, type RequestMethod, type RequestParams, type RequestResult } from './protocol';
import { onDidChangePython, selectedPython } from './pythonEnv';
import {
  expandPath,
  serverPayload,
  type ServerPayload,
  serverSettings,
  type ServerSettings,
  userValue,
} from './settings';
import { VersionCheck } from './version';

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

/** The extension itself: where it is installed (a platform .vsix bundles `bin/asyncell`
 * there) and its version (the server's should match). */
export interface ExtensionInfo {
  dir: string;
  version: string;
}

/** The binary in use and the version it reported. */
export interface ServerIdentity {
  binary: Found;
  serverVersion: string | undefined;
  extensionVersion: string;
}

export class Server implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;
  private missing: string | undefined;
  private binary: Found | undefined;
  private readonly versionCheck: VersionCheck;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly log: vscode.OutputChannel,
    private readonly hooks: ServerHooks,
    private readonly extension: ExtensionInfo,
  ) {
    this.versionCheck = new VersionCheck(extension.version);
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${SECTION}.path`)) {
          void this.restartClient();
        } else if (event.affectsConfiguration(SECTION)) {
          void this.sendSettings();
        }
      }),
      // Trust granted: the workspace's `.venv` (and its `asyncell.python`) may now run
      // cells; hosts started from here on use it. Its `bin/asyncell` may now be the server.
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        void this.sendSettings();
        void this.restartIfBinaryChanged();
      }),
      onDidChangePython(() => void this.restartIfBinaryChanged()),
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

  /** The binary in use and the versions, when the server runs. */
  get identity(): ServerIdentity | undefined {
    if (!this.client || !this.binary) return undefined;
    return {
      binary: this.binary,
      serverVersion: this.client.initializeResult?.serverInfo?.version,
      extensionVersion: this.extension.version,
    };
  }

  private pathSetting(): string | undefined {
    const setting = vscode.workspace.getConfiguration(SECTION).get<string>('path')?.trim();
    if (!setting) return undefined;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return expandPath(setting, os.homedir(), folder);
  }

  private async locateBinary() {
    return locate(
      {
        setting: this.pathSetting(),
        python: await selectedPython(),
        trusted: vscode.workspace.isTrusted,
        extensionDir: this.extension.dir,
        envPath: process.env.PATH,
      },
      isExecutable,
    );
  }

  /** A new environment selected, or trust granted: restart only if that changes the binary. */
  private async restartIfBinaryChanged(): Promise<void> {
    if (!this.starting) return;
    await this.starting;
    const found = await this.locateBinary();
    if (found.ok ? found.path === this.binary?.path : !this.binary) return;
    await this.restartClient();
  }

  private async doStart(): Promise<LanguageClient | undefined> {
    const found = await this.locateBinary();
    if (!found.ok) {
      this.binary = undefined;
      this.missing = found.message;
      this.log.appendLine(found.message);
      void vscode.window
        .showErrorMessage(found.message, 'Open Settings', 'Copy Install Command')
        .then((choice) => {
          if (choice === 'Open Settings') {
            void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.path`);
          } else if (choice === 'Copy Install Command') {
            void vscode.env.clipboard.writeText(INSTALL_COMMAND);
          }
        });
      return undefined;
    }
    this.missing = undefined;
    this.binary = found;
    for (const skipped of found.skipped) this.log.appendLine(`asyncell: passed over ${skipped}`);
    this.log.appendLine(`asyncell: starting ${found.path} (${found.how})`);
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
    // The extension handles asyncell/* notifications: the server sends them only to
    // clients that declare `experimental.asyncell` (docs/protocol.md, "Plain LSP clients").
    client.registerFeature({
      fillClientCapabilities(capabilities) {
        capabilities.experimental = { ...(capabilities.experimental ?? {}), asyncell: { notifications: true } };
      },
      initialize() {},
      getState: () => ({ kind: 'static' }),
      clear() {},
    });
    client.onNotification(Methods.output, (params: OutputParams) => this.hooks.onOutput(params));
    client.onNotification(Methods.event, (params: EventParams) => this.hooks.onEvent(params));
    client.onDidChangeState((event) => this.hooks.onStateChange(event.newState === State.Running));
    try {
      await client.start();
    } catch (error) {
      this.missing = `asyncell: the server ${found.path} (${found.how}) failed to start: ${String(error)}. ${INSTALL_HINT}`;
      void vscode.window.showErrorMessage(this.missing);
      return undefined;
    }
    this.client = client;
    const serverVersion = client.initializeResult?.serverInfo?.version;
    this.log.appendLine(
      `asyncell: server ${found.path} is version ${serverVersion ?? '(not reported)'}, the extension ${this.extension.version}`,
    );
    const warning = this.versionCheck.afterStart(serverVersion, found);
    if (warning) {
      this.log.appendLine(warning);
      void vscode.window.showWarningMessage(warning);
    }
    return client;
  }

  private async sendSettings(): Promise<void> {
    const client = this.client;
    if (!client || !client.isRunning()) return;
    await client.sendNotification(DidChangeConfigurationNotification.type, {
      settings: currentPayload(),
    });
  }

  /** Stops the client (once a start under way has finished) and starts a new one. Whoever
   * calls start() meanwhile waits for the new client, never gets the old one. */
  async restartClient(): Promise<void> {
    const previous = this.starting;
    this.starting = (async () => {
      const old = (await previous?.catch(() => undefined)) ?? this.client;
      this.client = undefined;
      if (old) await old.stop().catch(() => undefined);
      return this.doStart();
    })();
    await this.starting;
  }

  /** A request to the server; throws with a readable message when it is not running. */
  async request<M extends RequestMethod>(method: M, params: RequestParams<M>): Promise<RequestResult<M>> {
    const client = await this.start();
    if (!client) throw new Error(this.missing ?? 'asyncell: the language server is not running');
    return client.sendRequest<RequestResult<M>>(method, params);
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
