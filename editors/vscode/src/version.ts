// Whether the server binary and the extension are the same release. Pure.
//
// A mismatch is worth one warning per session, not one per restart: a user who restarts
// the server ten times while working on something else should not see it ten times, and
// the log line at every start says the versions anyway.

import type { Found } from './binary';

/** How to get a matching binary, depending on where the one in use came from. */
function fixFor(binary: Found, extensionVersion: string): string {
  switch (binary.source) {
    case 'setting':
      return `Point \`asyncell.path\` at asyncell ${extensionVersion}, or clear it to use the binary bundled with the extension.`;
    case 'python':
      return `Run \`pip install asyncell==${extensionVersion}\` in that Python environment, or set \`asyncell.path\`.`;
    case 'bundled':
      return `Reinstall the platform .vsix of asyncell ${extensionVersion}, or set \`asyncell.path\`.`;
    case 'path':
      return (
        `Upgrade it (\`uv tool install asyncell==${extensionVersion}\`, \`pipx install asyncell==${extensionVersion}\`, ` +
        'or `cargo install --locked --path server` from the matching checkout), or set `asyncell.path`.'
      );
  }
}

/** The warning for a server whose version differs from the extension's, or undefined. */
export function versionMismatch(extensionVersion: string, serverVersion: string | undefined, binary: Found): string | undefined {
  const server = serverVersion?.trim();
  if (server === extensionVersion) return undefined;
  const reported = server ? `is version ${server}` : 'did not report its version';
  return (
    `asyncell: the language server ${binary.path} (${binary.how}) ${reported}, ` +
    `but the extension is version ${extensionVersion}; features may not work. ${fixFor(binary, extensionVersion)}`
  );
}

/** Remembers whether this session already warned, so restarts do not warn again. */
export class VersionCheck {
  private warned = false;

  constructor(private readonly extensionVersion: string) {}

  /** The warning to show after a start, or undefined (versions match, or already warned). */
  afterStart(serverVersion: string | undefined, binary: Found): string | undefined {
    if (this.warned) return undefined;
    const message = versionMismatch(this.extensionVersion, serverVersion, binary);
    if (message) this.warned = true;
    return message;
  }
}

/** What "asyncell: Show Server Binary" says. */
export function describeServer(binary: Found, serverVersion: string | undefined, extensionVersion: string): string {
  const version = serverVersion ? `version ${serverVersion}` : 'no version reported';
  return `asyncell: the language server is ${binary.path} (${binary.how}), ${version}; the extension is version ${extensionVersion}.`;
}
