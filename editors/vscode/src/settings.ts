// The settings the client forwards to the server (initializationOptions and
// workspace/didChangeConfiguration, section `asyncell`). Pure.
//
// Only settings the user actually set are sent: the editor layer overrides
// `[tool.asyncell]` in pyproject.toml, so a default sent here would hide the project's own
// choice.

/** The Python versions the server checks for (`--target-version`). */
export const TARGET_VERSIONS = ['py310', 'py311', 'py312', 'py313', 'py314'] as const;

export interface ServerSettings {
  loop?: 'auto' | 'trio' | 'asyncio';
  target?: 'asyncell' | 'ipython';
  targetVersion?: (typeof TARGET_VERSIONS)[number];
  python?: string | string[];
}

/** `read(key)` returns the value the user set, or undefined when it is left at its default. */
export function serverSettings(read: (key: string) => unknown): ServerSettings {
  const settings: ServerSettings = {};
  const loop = read('loop');
  if (loop === 'auto' || loop === 'trio' || loop === 'asyncio') settings.loop = loop;
  const target = read('target');
  if (target === 'asyncell' || target === 'ipython') settings.target = target;
  const targetVersion = read('targetVersion');
  const known = TARGET_VERSIONS.find((version) => version === targetVersion);
  if (known) settings.targetVersion = known;
  const python = read('python');
  if (typeof python === 'string' && python.trim() !== '') {
    settings.python = python.trim();
  } else if (Array.isArray(python) && python.length > 0 && python.every((p) => typeof p === 'string')) {
    settings.python = python as string[];
  }
  return settings;
}

/** The scopes of one setting, as `WorkspaceConfiguration.inspect` returns them. */
export interface Scopes {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/** Settings that choose a program to run: in an untrusted workspace only the user's own
 * (global) value counts, never the workspace's `.vscode/settings.json`. `inspect` reports
 * workspace values even where VS Code itself ignores them, so this is checked here. */
const RESTRICTED = new Set(['python', 'path']);

/** The value the user set for `key`, the most specific scope first. */
export function userValue(key: string, scopes: Scopes | undefined, trusted: boolean): unknown {
  if (!trusted && RESTRICTED.has(key)) return scopes?.globalValue;
  return scopes?.workspaceFolderValue ?? scopes?.workspaceValue ?? scopes?.globalValue;
}

/** What the server receives as `initializationOptions` and as
 * `workspace/didChangeConfiguration` settings: the section, and whether the user trusts
 * the workspace (only then may its `.venv/bin/python` run cells; docs/protocol.md). */
export interface ServerPayload {
  asyncell: ServerSettings;
  trustedWorkspace: boolean;
}

export function serverPayload(settings: ServerSettings, trusted: boolean): ServerPayload {
  return { asyncell: settings, trustedWorkspace: trusted };
}

/** A path setting with `~` and `${workspaceFolder}` expanded. */
export function expandPath(value: string, home: string, workspaceFolder: string | undefined): string {
  let path = value.trim();
  if (workspaceFolder !== undefined) path = path.split('${workspaceFolder}').join(workspaceFolder);
  if (path === '~') return home;
  if (path.startsWith('~/')) return home + path.slice(1);
  return path;
}
