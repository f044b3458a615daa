// nbformat outputs (what the host sends in `asyncell/output`) as VS Code notebook output
// items: pure data, no `vscode` import, so it is unit tested. notebookOutputs.ts turns the
// result into NotebookCellOutput objects.

import { IMAGE_MIME_TYPES, type NbOutput } from './protocol';

export const STDOUT_MIME = 'application/vnd.code.notebook.stdout';
export const STDERR_MIME = 'application/vnd.code.notebook.stderr';

/** One output item: bytes under a MIME type, or an error (NotebookCellOutputItem.error). */
export type Item =
  | { kind: 'data'; mime: string; data: Uint8Array }
  | { kind: 'error'; name: string; message: string; stack: string };

/** One cell output, with the metadata VS Code's .ipynb serializer reads back on save. */
export interface Converted {
  items: Item[];
  metadata: Record<string, unknown>;
  /** Set for stream outputs, which merge with a directly preceding one of the same name. */
  stream?: 'stdout' | 'stderr';
}

/**
 * Richest first. VS Code chooses the MIME type to render by its own preference list, but a
 * stable order keeps saved notebooks and tests deterministic.
 */
const MIME_ORDER = [
  '', // application/vnd.* (a library's own renderer) ranks here
  'application/json',
  'application/javascript',
  'text/html',
  'image/svg+xml',
  'text/latex',
  'text/markdown',
  'image/png',
  'image/jpeg',
  'image/gif',
  'text/plain',
];

/** The image types nbformat carries as base64: the protocol's image types but SVG (XML text). */
export const BASE64_IMAGE_MIMES: readonly string[] = IMAGE_MIME_TYPES.filter((mime) => mime !== 'image/svg+xml');
const BINARY_MIMES = new Set(BASE64_IMAGE_MIMES);

const encoder = new TextEncoder();

/** nbformat multiline strings may be a list of lines. */
export function joinText(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join('');
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value);
}

export function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || mime.endsWith('+json');
}

function mimeRank(mime: string): number {
  const exact = MIME_ORDER.indexOf(mime);
  if (exact >= 0) return exact;
  if (mime.startsWith('application/vnd.')) return 0; // a library's own renderer
  return MIME_ORDER.length - 1.5; // unknown types go just before text/plain
}

export function decodeBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'base64'));
}

/** One MIME bundle entry as an output item. */
export function dataItem(mime: string, value: unknown): Item {
  if (BINARY_MIMES.has(mime) && typeof value === 'string') {
    return { kind: 'data', mime, data: decodeBase64(value) };
  }
  if (isJsonMime(mime)) {
    const json = typeof value === 'string' ? safeParse(value) : value;
    return { kind: 'data', mime, data: encoder.encode(JSON.stringify(json, undefined, 2)) };
  }
  return { kind: 'data', mime, data: encoder.encode(joinText(value)) };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A traceback as one text: nbformat gives a list of (possibly newline-ended) chunks. */
export function tracebackText(traceback: string[] | undefined): string {
  return (traceback ?? []).map((line) => line.replace(/\n$/, '')).join('\n');
}

export function convert(output: NbOutput): Converted {
  switch (output.output_type) {
    case 'stream': {
      const name = output.name === 'stderr' ? 'stderr' : 'stdout';
      const mime = name === 'stderr' ? STDERR_MIME : STDOUT_MIME;
      return {
        items: [{ kind: 'data', mime, data: encoder.encode(joinText(output.text)) }],
        metadata: { outputType: 'stream' },
        stream: name,
      };
    }
    case 'execute_result':
    case 'display_data': {
      const mimes = Object.keys(output.data ?? {}).sort((a, b) => mimeRank(a) - mimeRank(b));
      const metadata: Record<string, unknown> = {
        outputType: output.output_type,
        metadata: output.metadata ?? {},
      };
      if (output.output_type === 'execute_result' && typeof output.execution_count === 'number') {
        metadata.executionCount = output.execution_count;
      }
      return { items: mimes.map((mime) => dataItem(mime, output.data[mime])), metadata };
    }
    case 'error':
      return {
        items: [
          {
            kind: 'error',
            name: output.ename,
            message: output.evalue,
            stack: tracebackText(output.traceback),
          },
        ],
        metadata: { outputType: 'error', originalError: output },
      };
    default: {
      // An output type this client does not know: keep it visible as JSON text.
      const unknown = output as unknown as Record<string, unknown>;
      return {
        items: [{ kind: 'data', mime: 'text/plain', data: encoder.encode(JSON.stringify(unknown)) }],
        metadata: { outputType: String(unknown.output_type ?? 'unknown') },
      };
    }
  }
}

/**
 * Whether `next` continues the stream of the cell's last output `previous` (same stream
 * name), so its items are appended to that output instead of starting a new one.
 */
export function continuesStream(previous: Converted | undefined, next: Converted): boolean {
  return previous?.stream !== undefined && previous.stream === next.stream;
}

/** The plain text of an output, for summaries, logs and the text view. */
export function outputText(output: NbOutput): string {
  switch (output.output_type) {
    case 'stream':
      return joinText(output.text);
    case 'execute_result':
    case 'display_data': {
      const data = output.data ?? {};
      if ('text/plain' in data) return joinText(data['text/plain']);
      const mime = Object.keys(data)[0];
      return mime ? `[${mime}]` : '';
    }
    case 'error':
      return tracebackText(output.traceback) || `${output.ename}: ${output.evalue}`;
    default:
      return '';
  }
}
