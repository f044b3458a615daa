// `# %%` cells of a Python file, by line. Mirrors the server's split
// (server/src/analysis/percent.rs) so that the client's cell index for a line is the
// server's `cell` index for `asyncell/execute`. Pure: no `vscode` import.

export interface Cell {
  /** 0-based among the code cells (what `asyncell/execute` `cell` counts), or -1. */
  codeIndex: number;
  isCode: boolean;
  /** 0-based first line (the marker line, when there is one). */
  startLine: number;
  /** 0-based line after the cell's last line. */
  endLine: number;
  /** The text after `# %%` on the marker line, if any. */
  title: string;
}

/** `# %%` or `#%%`, optionally followed by a title or a `[markdown]` tag. */
export function isMarker(line: string): boolean {
  const trimmed = line.trimStart();
  return trimmed.startsWith('#') && trimmed.slice(1).trimStart().startsWith('%%');
}

function isMarkdownMarker(line: string): boolean {
  const rest = line.trimStart().replace(/^#+/, '').trimStart().replace(/^%+/, '').trim();
  return rest.includes('[markdown]') || rest.includes('[md]') || rest.includes('[raw]');
}

function markerTitle(line: string): string {
  return line.trimStart().replace(/^#/, '').trimStart().replace(/^%%/, '').trim();
}

export function splitLines(text: string): string[] {
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  // "a\n" is one line, as the server counts it; "" is no line at all.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function hasMarkers(text: string): boolean {
  return splitLines(text).some(isMarker);
}

/**
 * The cells of a file. A file without markers is one code cell (the server runs a plain
 * script whole). Text before the first marker is a cell of its own when not blank.
 */
export function cells(text: string): Cell[] {
  const lines = splitLines(text);
  const found: Array<Omit<Cell, 'codeIndex'>> = [];
  let start = 0;
  let isCode = true;
  let title = '';
  let seenMarker = false;
  lines.forEach((line, number) => {
    if (!isMarker(line)) return;
    if (number > start || seenMarker) {
      const blank = lines.slice(start, number).every((l) => l.trim() === '');
      if (seenMarker || !blank) found.push({ isCode, startLine: start, endLine: number, title });
    }
    seenMarker = true;
    start = number;
    isCode = !isMarkdownMarker(line);
    title = markerTitle(line);
  });
  const restBlank = lines.slice(start).every((l) => l.trim() === '');
  if (seenMarker || !restBlank || found.length === 0) {
    found.push({ isCode, startLine: start, endLine: Math.max(lines.length, start + 1), title });
  }
  let code = 0;
  return found.map((cell) => ({ ...cell, codeIndex: cell.isCode ? code++ : -1 }));
}

/** The cell containing a line (lines past the end belong to the last cell). */
export function cellAt(all: Cell[], line: number): Cell | undefined {
  if (all.length === 0) return undefined;
  return all.find((cell) => cell.startLine <= line && line < cell.endLine) ?? all[all.length - 1];
}

export function codeCells(all: Cell[]): Cell[] {
  return all.filter((cell) => cell.isCode);
}

/** The code cells before the one containing `line` (what "Run Above" runs). */
export function codeCellsAbove(all: Cell[], line: number): Cell[] {
  const current = cellAt(all, line);
  if (!current) return [];
  return all.filter((cell) => cell.isCode && cell.startLine < current.startLine);
}

/**
 * What run-and-advance appends after the last cell (as Jupyter adds a cell below the last
 * one): a blank line, then a bare `# %%` marker and the line the cursor goes to. `text` is
 * the whole document; its line ending is kept.
 */
export function newCellText(text: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const ending = text.length === 0 || text.endsWith('\n') ? '' : eol;
  return `${ending}${text.trim() === '' ? '' : eol}# %%${eol}`;
}
