import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { cellAt, cells, codeCells, codeCellsAbove, hasMarkers, isMarker, newCellText } from '../../src/cells';

// The same cases as the server's percent.rs tests, so both count cells alike.
const text = 'import trio\n# %% first\nx = 1\n#%% [markdown]\n# hi\n# %%\ny\n';

test('markers split cells and keep the marker line (as the server does)', () => {
  const all = cells(text);
  assert.deepEqual(
    all.map((c) => [c.startLine, c.endLine, c.isCode, c.codeIndex]),
    [
      [0, 1, true, 0],
      [1, 3, true, 1],
      [3, 5, false, -1],
      [5, 7, true, 2],
    ],
  );
  assert.equal(all[1].title, 'first');
});

test('a blank preamble is not a cell', () => {
  const all = cells('\n\n# %%\nx\n');
  assert.equal(all.length, 1);
  assert.equal(all[0].startLine, 2);
  assert.equal(all[0].codeIndex, 0);
});

test('percent magics are not markers; indented markers are', () => {
  assert.equal(isMarker('# %autoawait trio'), false);
  assert.equal(isMarker('  # %% indented'), true);
  assert.equal(isMarker('#%%'), true);
  assert.equal(hasMarkers("x = '# %%'\n"), false);
});

test('a file without markers is one code cell', () => {
  const all = cells('import asyncio\nasyncio.run(main())\n');
  assert.equal(all.length, 1);
  assert.equal(all[0].codeIndex, 0);
  assert.equal(cells('').length, 1);
});

test('cellAt finds the cell of a line; past the end is the last cell', () => {
  const all = cells(text);
  assert.equal(cellAt(all, 0)?.codeIndex, 0);
  assert.equal(cellAt(all, 2)?.codeIndex, 1);
  assert.equal(cellAt(all, 4)?.isCode, false);
  assert.equal(cellAt(all, 6)?.codeIndex, 2);
  assert.equal(cellAt(all, 99)?.codeIndex, 2);
});

test('run above takes the code cells before the current one', () => {
  const all = cells(text);
  assert.deepEqual(codeCellsAbove(all, 6).map((c) => c.codeIndex), [0, 1]);
  assert.deepEqual(codeCellsAbove(all, 0), []);
  assert.deepEqual(codeCells(all).map((c) => c.codeIndex), [0, 1, 2]);
});

test('CRLF files split the same way', () => {
  const crlf = text.replace(/\n/g, '\r\n');
  assert.deepEqual(
    cells(crlf).map((c) => [c.startLine, c.endLine]),
    cells(text).map((c) => [c.startLine, c.endLine]),
  );
});

test('newCellText appends a bare marker after a blank line, keeping the line ending', () => {
  assert.equal(newCellText('# %%\nx = 1\n'), '\n# %%\n');
  assert.equal(newCellText('# %%\nx = 1'), '\n\n# %%\n');
  assert.equal(newCellText('# %%\r\nx = 1\r\n'), '\r\n# %%\r\n');
  assert.equal(newCellText(''), '# %%\n');
  const text = `# %%\nx = 1\n${newCellText('# %%\nx = 1\n')}`;
  assert.deepEqual(codeCells(cells(text)).map((c) => c.startLine), [0, 3]);
});

// The shared fixture set every client-side cell helper is checked against (the server is,
// in tests/e2e/test_cell_splits.py; the Neovim plugin in editors/nvim/tests/
// test_cells_server.lua). Read from the repository at test time, so it never reaches the
// bundle or the .vsix.
interface Fixture {
  name: string;
  text: string;
  cells: Array<[number, 'code' | 'markdown']>;
}
const fixtures: Fixture[] = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', '..', '..', 'tests', 'clients', 'cells.json'), 'utf8'),
).files;

test('the shared fixture set (tests/clients/cells.json) is there', () => {
  assert.ok(fixtures.length >= 10, `${fixtures.length} fixtures`);
});

for (const fixture of fixtures) {
  test(`cells agree with the shared fixtures: ${fixture.name}`, () => {
    const all = cells(fixture.text);
    assert.deepEqual(
      all.map((c) => [c.startLine, c.isCode ? 'code' : 'markdown']),
      fixture.cells,
    );
    // codeIndex counts the code cells in order (the server's `cell` for asyncell/execute).
    assert.deepEqual(
      codeCells(all).map((c) => c.codeIndex),
      fixture.cells.filter(([, kind]) => kind === 'code').map((_, index) => index),
    );
  });
}
