// Finding the `asyncell` binary: the `asyncell.path` setting, else PATH. Pure but for the
// injected file check.

import * as path from 'path';

export type Located = { ok: true; path: string } | { ok: false; message: string };

export const INSTALL_HINT =
  'Install it with `cargo install --path server` from a clone of the asyncell repository ' +
  '(that puts `asyncell` on PATH), or set `asyncell.path` to the binary.';

export function locate(
  setting: string | undefined,
  envPath: string | undefined,
  isExecutable: (file: string) => boolean,
): Located {
  if (setting) {
    if (isExecutable(setting)) return { ok: true, path: setting };
    return {
      ok: false,
      message: `asyncell: \`asyncell.path\` is set to ${setting}, but no executable is there. ${INSTALL_HINT}`,
    };
  }
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'asyncell');
    if (isExecutable(candidate)) return { ok: true, path: candidate };
  }
  return {
    ok: false,
    message: `asyncell: the language server binary \`asyncell\` was not found on PATH. ${INSTALL_HINT}`,
  };
}
