// Finding the `asyncell` binary. Pure but for the injected file check.
//
// The order, first match wins:
//   1. the `asyncell.path` setting (a set but broken path is an error, never skipped: the
//      user asked for that binary);
//   2. `asyncell` next to the selected Python interpreter (`pip install asyncell` puts it
//      there), only in a trusted workspace: a repository can ship a `.venv` whose
//      `bin/asyncell` is anything;
//   3. the binary bundled in a platform .vsix (`bin/asyncell` in the extension);
//   4. `asyncell` on PATH (`uv tool install`, `pipx install`, `cargo install`, or a
//      development .vsix that bundles nothing).

import * as path from 'path';

export type Source = 'setting' | 'python' | 'bundled' | 'path';

/** The interpreter of the Python environment VS Code has selected, and who selected it. */
export interface SelectedPython {
  interpreter: string;
  /** e.g. "the Python extension's selected environment", "python.defaultInterpreterPath" */
  selectedBy: string;
}

export interface Inputs {
  /** `asyncell.path`, already expanded; undefined or empty when not set. */
  setting?: string;
  python?: SelectedPython;
  trusted: boolean;
  /** The extension's install directory (context.extensionPath). */
  extensionDir: string;
  envPath?: string;
}

export interface Found {
  ok: true;
  path: string;
  source: Source;
  /** Where it came from, for the log and the version warning. */
  how: string;
  /** Candidates passed over before this one, each with why. */
  skipped: string[];
}

export interface Missing {
  ok: false;
  message: string;
  skipped: string[];
}

export type Located = Found | Missing;

export const INSTALL_COMMAND = 'pip install asyncell';

export const INSTALL_HINT =
  'Install it with `pip install asyncell` into the selected Python environment (from a clone ' +
  'of the repository: `pip install .`), or with `uv tool install asyncell` or ' +
  '`pipx install asyncell` (puts it on PATH), or install the platform .vsix, which bundles it. ' +
  'From source: `cargo install --locked --path server`. Or set `asyncell.path` to the binary.';

/** The path `bin/asyncell` a platform .vsix ships (package.sh puts it there). */
export function bundledPath(extensionDir: string): string {
  return path.join(extensionDir, 'bin', 'asyncell');
}

/** `asyncell` beside a Python interpreter: `<env>/bin/python` -> `<env>/bin/asyncell`.
 * A bare command name (`python`, the setting's default) names no environment. */
export function besidePython(interpreter: string): string | undefined {
  if (!interpreter.includes('/')) return undefined;
  return path.join(path.dirname(interpreter), 'asyncell');
}

export const SOURCE_LABEL: Record<Source, string> = {
  setting: 'the asyncell.path setting',
  python: 'the selected Python environment',
  bundled: 'bundled with the extension',
  path: 'PATH',
};

export function locate(inputs: Inputs, isExecutable: (file: string) => boolean): Located {
  const skipped: string[] = [];
  const setting = inputs.setting?.trim();
  if (setting) {
    if (isExecutable(setting)) {
      return { ok: true, path: setting, source: 'setting', how: 'from the asyncell.path setting', skipped };
    }
    return {
      ok: false,
      skipped,
      message:
        `asyncell: \`asyncell.path\` is set to ${setting}, but no executable is there. ` +
        'Point it at the `asyncell` binary, or clear it to use the one in the selected Python ' +
        `environment, the bundled one or the one on PATH. ${INSTALL_HINT}`,
    };
  }

  const python = inputs.python;
  const beside = python && besidePython(python.interpreter);
  if (python && beside) {
    if (!inputs.trusted) {
      skipped.push(
        `${beside} (${python.selectedBy}): not used because the workspace is not trusted ` +
          '(trust it to use that binary, or set `asyncell.path` in your user settings)',
      );
    } else if (isExecutable(beside)) {
      return {
        ok: true,
        path: beside,
        source: 'python',
        how: `from the selected Python environment (${python.selectedBy}: ${python.interpreter})`,
        skipped,
      };
    } else {
      skipped.push(`${beside} (${python.selectedBy}): not there; \`${INSTALL_COMMAND}\` into that environment puts it there`);
    }
  } else if (python) {
    skipped.push(`the selected Python environment: ${python.selectedBy} is \`${python.interpreter}\`, a command, not an environment`);
  } else {
    skipped.push('the selected Python environment: none is selected');
  }

  const bundled = bundledPath(inputs.extensionDir);
  if (isExecutable(bundled)) {
    return { ok: true, path: bundled, source: 'bundled', how: 'bundled with the extension', skipped };
  }
  skipped.push(`${bundled}: this .vsix bundles no binary (the platform .vsix does)`);

  const dirs = (inputs.envPath ?? '').split(path.delimiter).filter((dir) => dir !== '');
  for (const dir of dirs) {
    const candidate = path.join(dir, 'asyncell');
    if (isExecutable(candidate)) {
      return { ok: true, path: candidate, source: 'path', how: 'from PATH', skipped };
    }
  }
  skipped.push(dirs.length ? `asyncell on PATH (${dirs.join(path.delimiter)}): not found` : 'asyncell on PATH: PATH is empty');

  return {
    ok: false,
    skipped,
    message: `asyncell: the language server binary \`asyncell\` was not found. Tried: ${skipped.join('; ')}. ${INSTALL_HINT}`,
  };
}
