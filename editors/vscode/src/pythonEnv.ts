// The Python environment VS Code has selected: through the Python extension's environments
// API when it is installed, else the `python.defaultInterpreterPath` setting. Used only to
// look for the `asyncell` that `pip install asyncell` put beside that interpreter.

import * as os from 'os';
import * as vscode from 'vscode';

import type { SelectedPython } from './binary';
import { expandPath } from './settings';

const PYTHON_EXTENSION = 'ms-python.python';

/** The part of the Python extension's API (`@vscode/python-extension`) used here. */
interface PythonEnvironmentsApi {
  getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
  resolveEnvironment(
    environment: { id: string; path: string } | string,
  ): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
  onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
}

interface PythonExtensionApi {
  environments?: PythonEnvironmentsApi;
}

/** The Python extension can take long to activate (it discovers environments); past this
 * the setting is used, so a slow discovery never holds up the language server. */
const ACTIVATION_TIMEOUT_MS = 10_000;

async function environmentsApi(): Promise<PythonEnvironmentsApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION);
  if (!extension) return undefined;
  try {
    const api = extension.isActive
      ? extension.exports
      : await Promise.race([
          extension.activate(),
          new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ACTIVATION_TIMEOUT_MS)),
        ]);
    return api?.environments;
  } catch {
    return undefined;
  }
}

function fromSetting(folder: vscode.WorkspaceFolder | undefined): SelectedPython | undefined {
  const value = vscode.workspace.getConfiguration('python', folder?.uri).get<string>('defaultInterpreterPath')?.trim();
  if (!value) return undefined;
  return {
    interpreter: expandPath(value, os.homedir(), folder?.uri.fsPath),
    selectedBy: 'python.defaultInterpreterPath',
  };
}

/** The interpreter of the selected environment, or undefined when none is known. */
export async function selectedPython(): Promise<SelectedPython | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const api = await environmentsApi();
  if (!api) return fromSetting(folder);
  try {
    const active = api.getActiveEnvironmentPath(folder?.uri);
    const resolved = await api.resolveEnvironment(active);
    const interpreter = resolved?.executable.uri?.fsPath ?? active.path;
    return { interpreter, selectedBy: "the Python extension's selected environment" };
  } catch {
    return fromSetting(folder);
  }
}

/** Calls `listener` when the selected environment may have changed. */
export function onDidChangePython(listener: () => void): vscode.Disposable {
  const disposables: vscode.Disposable[] = [
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('python.defaultInterpreterPath')) listener();
    }),
  ];
  // The start already activated the Python extension (selectedPython), so this waits for
  // nothing new.
  let disposed = false;
  void environmentsApi().then((api) => {
    if (api && !disposed) disposables.push(api.onDidChangeActiveEnvironmentPath(() => listener()));
  });
  return {
    dispose: () => {
      disposed = true;
      disposables.forEach((d) => d.dispose());
    },
  };
}
