// End-to-end tests of the asyncell extension in real VS Code (code-server), driven through
// Chromium with playwright-core. test/run.sh starts code-server and sets:
//   E2E_URL        the workbench URL with ?folder= the copied workspace
//   E2E_OUT        where screenshots go
//   E2E_USER_DATA  a fresh Chromium profile directory
//   CHROMIUM       the browser binary
//   E2E_WORKSPACE  the workspace folder (tests change settings in its .vscode/settings.json)
//   E2E_BUNDLED    the bin/asyncell of the installed platform .vsix (the server to expect)
//   E2E_PYENV      a Python environment whose bin/ holds python and asyncell
//   E2E_NEXT_VSIX  a development .vsix of this extension with the version NEXT_VERSION
//   E2E_ONLY       (optional) a regular expression: run only the tests whose name matches
//                  (while working on one test; a test must not need another's state then)
// Every wait polls the DOM (all frames: notebook outputs live in webview iframes) with a
// timeout; nothing sleeps for a fixed time. Prints `e2e: N passed, N failed` at the end.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const URL = process.env.E2E_URL;
const OUT = process.env.E2E_OUT ?? 'test-results';
const USER_DATA = process.env.E2E_USER_DATA ?? path.join(OUT, 'chromium-profile');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const WORKSPACE = process.env.E2E_WORKSPACE; // the workspace folder code-server has open
const BUNDLED = process.env.E2E_BUNDLED;
const PYENV = process.env.E2E_PYENV;
const NEXT_VSIX = process.env.E2E_NEXT_VSIX;
const NEXT_VERSION = '0.99.0';
const ONLY = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY) : undefined;
const VERSION = JSON.parse(readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8')).version;
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

mkdirSync(OUT, { recursive: true });

// ---- tiny harness ----------------------------------------------------------------------

const results = [];
const log = (...args) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...args);
const t0 = Date.now();

/** Polls `probe` until it returns a truthy value; throws `what` on timeout. */
async function until(what, probe, { timeout = 30_000, interval = 250 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

let page;

async function test(name, body) {
  if (ONLY && !ONLY.test(name)) return;
  const started = Date.now();
  try {
    await body();
    results.push({ name, ok: true });
    log(`ok - ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    results.push({ name, ok: false, error });
    log(`not ok - ${name}: ${error.stack ?? error}`);
    const file = path.join(OUT, `failed-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
    await page?.screenshot({ path: file }).catch(() => undefined);
    log(`  screenshot: ${file}`);
  }
}

// ---- workbench helpers ------------------------------------------------------------------

/** The text of every frame (workbench and webview iframes), joined. */
async function allText() {
  const parts = await Promise.all(
    page.frames().map((frame) => frame.evaluate(() => document.body?.innerText ?? '').catch(() => '')),
  );
  return parts.join('\n');
}

/** The text of the first element in any frame (shadow DOM included) matching `pattern`. */
async function findText(pattern) {
  for (const frame of page.frames()) {
    const match = frame.getByText(pattern).first();
    if ((await match.count().catch(() => 0)) > 0) return (await match.innerText().catch(() => '')) || ' ';
  }
  return '';
}

/** Frames whose document matches a selector. */
async function framesWith(selector) {
  const found = [];
  for (const frame of page.frames()) {
    const count = await frame.locator(selector).count().catch(() => 0);
    if (count > 0) found.push(frame);
  }
  return found;
}

/**
 * The result summaries of the active editor's `# %%` cells, top to bottom, as drawn: text,
 * the left and right edges of what shows of it, where its head (status, count, time) ends,
 * the right edge of the editor's visible area, the right padding of the lens line it is on,
 * and the tooltip.
 * Read wherever VS Code draws them: the `after` decorations earlier versions used (CSS
 * ::after content of empty spans, read from computed styles) and code lenses. A summary
 * starts with its status: ✓ ✗ ⏳ ■ ⧗.
 */
async function summaries() {
  return page.locator('.editor-group-container.active .editor-instance .monaco-editor').first().evaluate((editor) => {
    const status = /^[✓✗⏳■⧗]/;
    const edge = (editor.querySelector('.editor-scrollable') ?? editor).getBoundingClientRect().right;
    const found = [];
    for (const span of editor.querySelectorAll('.view-lines span[class*="ced-"]')) {
      const content = getComputedStyle(span, '::after').content;
      if (!content || content === 'none') continue;
      const text = JSON.parse(content.replace(/^'|'$/g, '"'));
      const box = span.getBoundingClientRect();
      if (status.test(text)) found.push({ text, left: box.left, right: box.right, head: box.right, top: box.top, edge, padding: 0, tooltip: '' });
    }
    for (const item of editor.querySelectorAll('.contentWidgets .codelens-decoration > *')) {
      const text = item.textContent.replace(/\u00a0/g, ' ').trim();
      if (!status.test(text)) continue;
      // What shows of it: a lens line clips what does not fit in it, at the end of its
      // right padding.
      const line = item.closest('.codelens-decoration');
      const lens = line.getBoundingClientRect();
      const padding = parseFloat(getComputedStyle(line).paddingRight) || 0;
      const box = item.getBoundingClientRect();
      // Where its head (status, count, time: the text before the first " · ") ends.
      let head = box.right;
      const node = item.firstChild;
      const cut = node?.nodeType === Node.TEXT_NODE ? node.textContent.indexOf(' · ') : -1;
      if (cut > 0) {
        const range = document.createRange();
        range.setStart(node, 0);
        range.setEnd(node, cut);
        head = range.getBoundingClientRect().right;
      }
      found.push({ text, left: box.left, right: Math.min(box.right, lens.right), head, top: lens.top, edge, padding, tooltip: item.title ?? '' });
    }
    // In the order of the lines (the DOM's order is not always theirs).
    return found.sort((a, b) => a.top - b.top);
  });
}

/** The texts of the active editor's result summaries. */
async function summaryTexts() {
  return (await summaries()).map((s) => s.text);
}

/** Runs a command from the palette if it is offered (e.g. "Hide Panel" only while one shows). */
async function tryCommand(...titles) {
  return runCommand(...titles).then(
    () => true,
    () => false,
  );
}

/** Runs a command from the palette; `titles` are alternatives (titles change across versions). */
async function runCommand(...titles) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  for (const title of titles) {
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    // The palette lists commands late on a loaded machine: wait for it to list any (or
    // to say it has none), then for the command itself; once it lists, it filters at once.
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await until(`the palette to list commands for "${title}"`, () => rows.first().isVisible(), { timeout: 30_000 }).catch(() => undefined);
    const found = await row.waitFor({ state: 'visible', timeout: 5_000 }).then(() => 'found', () => 'none');
    if (found === 'found') {
      await page.keyboard.press('Enter');
      return;
    }
  }
  await page.keyboard.press('Escape');
  throw new Error(`no command ${titles.join(' / ')} in the palette`);
}

/** Scrolls the notebook until `probe` holds (cells and outputs out of view are not
 * rendered): down first (or up with `up: true`), turning back at either end. */
async function scrollNotebookUntil(what, probe, { up = false, ...options } = {}) {
  const list = page.locator('.notebook-editor:visible .monaco-list').first();
  const slider = list.locator('.scrollbar.vertical .slider').first();
  let step = up ? -400 : 400;
  return until(what, async () => {
    const value = await probe();
    if (value) return value;
    const box = await list.boundingBox();
    if (box) {
      const before = await slider.boundingBox().catch(() => null);
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, step);
      await page.waitForTimeout(100); // let the list scroll before comparing
      const after = await slider.boundingBox().catch(() => null);
      if (before && after && Math.abs(before.y - after.y) < 1) step = -step; // at an end
    }
    return undefined;
  }, options);
}

/** Whether an element is drawn wholly inside the notebook's scrolled area (a cell half
 * under the toolbar is "visible", but the pointer cannot reach its middle). */
async function inNotebookView(locator) {
  if (!(await locator.count())) return false;
  const [box, list] = await Promise.all([
    locator.first().boundingBox(),
    page.locator('.notebook-editor:visible .monaco-list').first().boundingBox(),
  ]);
  return !!box && !!list && box.y >= list.y && box.y + Math.min(box.height, list.height) <= list.y + list.height;
}

// Notebooks in other tabs keep their (hidden) toolbars in the DOM: only the visible one counts.
async function notebookToolbarText() {
  return page.locator('.notebook-toolbar-container:visible').first().innerText().catch(() => '');
}

/** Clicks a notebook toolbar action; in a narrow notebook it may sit in the toolbar's
 * "More Actions..." menu, as a user would find it. */
async function clickNotebookAction(label) {
  const toolbar = page.locator('.notebook-toolbar-container:visible').first();
  // The whole label: "Run All" is not "Restart and Run All".
  const exact = new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  const action = toolbar.locator('.action-item', { hasText: exact }).first();
  await until(`the notebook action "${label}"`, async () => {
    if (await action.isVisible()) {
      await action.click({ timeout: 5_000 });
      return true;
    }
    const more = toolbar.locator('.action-item .codicon-toolbar-more').first();
    if (!(await more.isVisible())) return false;
    await more.click({ timeout: 5_000 });
    const item = page.locator('.context-view .action-item', { has: page.locator('.action-label', { hasText: exact }) }).first();
    if (await item.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) {
      await item.click({ timeout: 5_000 });
      return true;
    }
    await page.keyboard.press('Escape');
    return false;
  });
}

/** Clicks an action in the active editor's title bar by its title (exactly: "Run All" is
 * not "Restart and Run All"; the label may add the category or a key). */
async function clickEditorAction(title) {
  const actions = page.locator('.editor-group-container.active .editor-actions .action-label');
  const labels = await actions.evaluateAll((items) => items.map((item) => item.getAttribute('aria-label') ?? ''));
  const exact = new RegExp(`^(asyncell: )?${title}( \\(.*\\))?$`);
  const index = labels.findIndex((label) => exact.test(label));
  if (index < 0) throw new Error(`no "${title}" in the editor's title bar: ${labels.join(', ')}`);
  await actions.nth(index).click();
}

async function statusBarText() {
  return page.locator('#status\\.asyncell\\.status, [id="asyncell.asyncell.asyncell.status"]').first().innerText().catch(() => '');
}

/** Changes workspace settings as a user editing .vscode/settings.json does. */
function updateSettings(changes) {
  if (!WORKSPACE) throw new Error('E2E_WORKSPACE is not set');
  const file = path.join(WORKSPACE, '.vscode', 'settings.json');
  mkdirSync(path.dirname(file), { recursive: true });
  let settings = {};
  try {
    settings = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // no settings yet
  }
  writeFileSync(file, JSON.stringify({ ...settings, ...changes }, undefined, 2));
}

/** Runs "asyncell: Show Server Binary" and returns the text of the notification it raises
 * once it names `expected` (earlier ones may still be on screen). */
async function showServerBinary(expected) {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: expected }).first();
  // Again until it names `expected`: a settings change reaches the extension, and the
  // server restarts, some time after the file is written.
  await until(`"asyncell: Show Server Binary" to name ${expected}`, async () => {
    await runCommand('asyncell: Show Server Binary');
    return toast.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
  });
  const message = (await toast.locator('.notification-list-item-message').innerText()).replace(/\s+/g, ' ');
  await toast.hover();
  await toast.locator('.codicon-notifications-clear, .codicon-close').first().click().catch(() => undefined);
  return message;
}


/**
 * The text of the notebook output block (one cell's outputs, in the output webview) that
 * holds `needle`, or '' while none does.
 */
async function cellOutputHolding(needle) {
  for (const frame of page.frames()) {
    const text = await frame
      .evaluate((needle) => {
        const walker = document.createTreeWalker(document.body ?? document.documentElement, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (!node.textContent.includes(needle)) continue;
          const cell = node.parentElement?.closest('.cell_container');
          if (cell) return cell.innerText;
        }
        return '';
      }, needle)
      .catch(() => '');
    if (text) return text;
  }
  return '';
}

/** The tree rows in the panel (where the asyncell Variables view is): [{label, description}]. */
async function panelTreeRows() {
  return page.locator('.part.panel .monaco-list-row').evaluateAll((rows) =>
    rows.map((row) => ({
      label: row.querySelector('.label-name')?.textContent ?? '',
      description: row.querySelector('.label-description')?.textContent ?? '',
    })),
  );
}

/** A notebook cell's execution state in its status bar (the icon's class, or its tooltip). */
const CELL_STATE = {
  executing: '.codicon-notebook-state-executing, .codicon-modifier-spin, [title="Executing"]',
  success: '.codicon-notebook-state-success, [title="Success"]',
  error: '.codicon-notebook-state-error, [title="Failed"]',
};

/**
 * Records, with the page's own clock, every change of the asyncell status bar text and of
 * the notebook cells' execution icons (executing spinner, success, failure), so a test can
 * compare when each showed.
 */
async function startTrace() {
  await page.evaluate((CELL_STATE) => {
    const trace = [];
    const snapshot = () => {
      const status = document.querySelector('[id="asyncell.asyncell.asyncell.status"], #status\\.asyncell\\.status')?.textContent ?? '';
      const count = (selector) =>
        [...document.querySelectorAll('.notebook-editor .cell-statusbar-container')].filter((bar) => bar.checkVisibility?.() ?? true)
          .reduce((n, bar) => n + bar.querySelectorAll(selector).length, 0);
      return { status, executing: count(CELL_STATE.executing), success: count(CELL_STATE.success), error: count(CELL_STATE.error) };
    };
    let last = '';
    const record = () => {
      const now = snapshot();
      const key = JSON.stringify(now);
      if (key === last) return;
      last = key;
      trace.push({ t: performance.now(), ...now });
    };
    record();
    const observer = new MutationObserver(record);
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['class'] });
    window.__asyncellTrace = { trace, stop: () => observer.disconnect() };
  }, CELL_STATE);
}

async function stopTrace() {
  return page.evaluate(() => {
    window.__asyncellTrace.stop();
    return window.__asyncellTrace.trace;
  });
}

async function openFile(name) {
  // F1 opens the palette in command mode; without the leading '>' it searches files
  // (Ctrl+P is taken by some focused widgets, e.g. a notebook cell's toolbar).
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(name);
  // A fresh workbench indexes the workspace's files first (slow under load).
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 60_000 });
  await page.keyboard.press('Enter');
  await until(`the editor tab for ${name}`, () =>
    page.locator('.tabs-container .tab.active', { hasText: name }).count(),
  );
}


/** Picks a notebook kernel (controller) in the kernel picker of the active notebook. */
async function selectKernel(label) {
  // The toolbar names the selected kernel, or says "Select Kernel" while none is.
  const picker = page.locator('.notebook-toolbar-container:visible .action-item', { hasText: /Select Kernel|asyncell: persistent/ }).first();
  await picker.click();
  await page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: 10_000 });
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await until(`"${label}" picked in the kernel picker`, async () => {
    const wanted = rows.filter({ hasText: label });
    if (await wanted.count()) {
      await wanted.first().click();
      return true;
    }
    // With a kernel selected VS Code may offer "Select Another Kernel...", or first ask
    // for the kernel source (the extension).
    const another = rows.filter({ hasText: 'Select Another Kernel' });
    const source = rows.filter({ hasText: 'asyncell' }).filter({ hasNotText: /persistent (trio|asyncio) loop/ });
    if (await another.count()) await another.first().click({ timeout: 2_000 }).catch(() => undefined);
    else if (await source.count()) await source.first().click({ timeout: 2_000 }).catch(() => undefined);
    return false;
  });
  await until(`"${label}" in the notebook toolbar`, async () => (await notebookToolbarText()).includes(label));
}

async function main() {
  if (!URL) throw new Error('E2E_URL is not set: run this through editors/vscode/test/run.sh');
  const context = await chromium.launchPersistentContext(USER_DATA, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1440, height: 1200 },
  });
  try {
    page = context.pages()[0] ?? (await context.newPage());
    log(`opening ${URL}`);
    await page.goto(URL);
    await until('the workbench', () => page.locator('.monaco-workbench').count(), { timeout: 60_000 });
    await until('the explorer to list the workspace', () => page.locator('.explorer-folders-view', { hasText: 'heartbeat.ipynb' }).count(), { timeout: 60_000 });
    await page.screenshot({ path: path.join(OUT, 'workbench.png') });

    await test('a LOOP200 mistake in a # %% file shows in the Problems panel', async () => {
      await openFile('loop200.py');
      await runCommand('View: Focus Problems');
      const problems = await until(
        'LOOP200 in the Problems panel',
        async () => {
          const text = await page.locator('.markers-panel').innerText().catch(() => '');
          return text.includes('LOOP200') ? text : '';
        },
        { timeout: 60_000 },
      );
      if (!/asyncio\.run\(\)/.test(problems)) throw new Error(`unexpected problems text: ${problems}`);
      await page.screenshot({ path: path.join(OUT, 'problems.png') });
    });

    await test('the server is the binary bundled in the platform .vsix (no asyncell.path, none on PATH)', async () => {
      if (!BUNDLED) throw new Error('E2E_BUNDLED is not set');
      const message = await showServerBinary(BUNDLED);
      log(`  ${message}`);
      const expected = `asyncell: the language server is ${BUNDLED} (bundled with the extension), version ${VERSION}; the extension is version ${VERSION}.`;
      if (message !== expected) throw new Error(`expected: ${expected}\n     got: ${message}`);
      // The server log says the same at start (Show Server Log opens it).
      await runCommand('asyncell: Show Server Log');
      await until(`"asyncell: starting ${BUNDLED} (bundled with the extension)" in the server log`, async () => {
        const text = await page.locator('.part.panel .monaco-editor .view-lines').first().innerText().catch(() => '');
        // Long lines wrap in the output view: compare with all white space as one space.
        return text.replace(/\s+/g, ' ').includes(`asyncell: starting ${BUNDLED} (bundled with the extension)`);
      });
      // The versions match, so no mismatch warning.
      const warnings = await page.locator('.notifications-toasts .notification-toast', { hasText: 'features may not work' }).count();
      if (warnings) throw new Error('a version mismatch warning is showing although the versions match');
      await tryCommand('View: Hide Panel', 'View: Close Panel');
      await openFile('loop200.py');
    });

    await test('the LOOP200 quick fix replaces asyncio.run(...) with await', async () => {
      await until('the error squiggle under asyncio.run', () => page.locator('.editor-instance .squiggly-error').count());
      const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'LOOP200' }).first();
      // Cursor inside `asyncio.run`, then Ctrl+. (again if the code actions were not ready).
      await until('the quick fix menu with the LOOP200 fix', async () => {
        await page.keyboard.press('Escape');
        await page.locator('.view-line', { hasText: 'asyncio.run(main())' }).click({ position: { x: 30, y: 5 } });
        await page.keyboard.press('Control+.');
        return fix.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false);
      });
      log(`  quick fix: ${(await fix.innerText()).trim()}`);
      await fix.click();
      await until('`await main()` in the editor', async () =>
        (await page.locator('.editor-instance .view-lines').first().innerText()).replace(/\u00a0/g, ' ').includes('await main()'),
      );
      await page.keyboard.press('Control+S');
      await until('the LOOP200 diagnostic to go', async () => !(await page.locator('.editor-instance .squiggly-error').count()));
    });

    await test('Shift+Enter and the Run cell lens run # %% cells; results show on the cell and in the output view', async () => {
      await tryCommand('View: Hide Panel', 'View: Close Panel');
      await openFile('cells.py');
      await until('the server\'s "Run cell" code lenses', () =>
        page.locator('.contentWidgets .codelens-decoration', { hasText: 'Run cell' }).count(),
      );
      // Put the cursor in the first cell and press Shift+Enter.
      await page.locator('.view-line', { hasText: 'numbers = list(range(10))' }).click();
      await page.keyboard.press('Shift+Enter');
      await until('"total is 45" in the output view', async () => (await allText()).includes('total is 45'), { timeout: 60_000 });
      await until('the result summary "✓ [n] ... total is 45" on the cell', async () =>
        (await summaryTexts()).some((text) => /^✓ \[\d+\] .*total is 45/.test(text)),
      );
      // The second cell through its code lens: it awaits at top level on the same loop.
      await page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Run cell' }).nth(1).click();
      await until('the second cell\'s result "✓ [n] ... · 90" on it', async () =>
        (await summaryTexts()).some((text) => /^✓ \[\d+\] .* · 90$/.test(text)),
        { timeout: 60_000 },
      );
      await until('"90" in the output view', async () => /\b90\b/.test(await allText()));
      await page.screenshot({ path: path.join(OUT, 'cells.png'), clip: { x: 0, y: 0, width: 1440, height: 560 } });
    });

    await test('a failed background task shows a notification whose "Show traceback" opens it', async () => {
      await page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Run cell' }).nth(2).click();
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'doomed' });
      await toast.first().waitFor({ state: 'visible', timeout: 30_000 });
      const message = await toast.first().locator('.notification-list-item-message').innerText();
      log(`  notification: ${message}`);
      if (!message.includes('ValueError: the background task gave up')) throw new Error(`unexpected notification: ${message}`);
      await toast.first().locator('.monaco-button', { hasText: 'Show traceback' }).click();
      await until('the traceback in an editor', async () =>
        (await page.locator('.editor-instance .view-lines').allInnerTexts()).some((t) =>
          t.replace(/\u00a0/g, ' ').includes('ValueError: the background task gave up'),
        ),
      );
    });


    await test('Run Cell and Below runs the cell at the cursor and every cell below it; Ctrl+Alt+C interrupts', async () => {
      await page.locator('.view-line', { hasText: 'sum(numbers) * 2' }).click();
      await runCommand('asyncell: Run Cell and Below');
      // Cells 1-3 ran as [1]-[3] before: now the second is [4], the long sleep [6].
      await until('the second cell again as [4], and the long sleep running', async () => {
        const texts = await summaryTexts();
        return texts.some((t) => /^✓ \[4\] .* · 90$/.test(t)) && texts.some((t) => /^⏳ running .*sleeping ten minutes/.test(t));
      }, { timeout: 60_000 });
      await page.locator('.view-line', { hasText: 'await trio.sleep(600)' }).click();
      const pressed = Date.now();
      await page.keyboard.press('Control+Alt+C');
      await until('"■ [6] interrupted" after the long sleep', async () => (await summaryTexts()).some((t) => /^■ \[6\] interrupted/.test(t)), { timeout: 30_000 });
      log(`  Ctrl+Alt+C to the interrupted summary: ${Date.now() - pressed} ms`);
    });

    await test('Shift+Enter in the last cell adds an empty # %% cell at the end and moves into it', async () => {
      // The rendered lines in their order on screen (the DOM order may differ).
      const editorText = async () =>
        page.locator('.editor-group-container.active .editor-instance .view-lines').first().evaluate((root) =>
          [...root.querySelectorAll(':scope > .view-line')]
            .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
            .map((line) => line.textContent.replace(/\u00a0/g, ' '))
            .join('\n'),
        );
      await page.locator('.view-line', { hasText: 'await trio.sleep(600)' }).click();
      await page.keyboard.press('End');
      await page.keyboard.press('Shift+Enter');
      await until('a "# %%" line after the last cell', async () => /await trio\.sleep\(600\)\s*\n\s*\n# %%\s*$/.test(await editorText()));
      // The cursor is in the new cell: what is typed lands there.
      await page.keyboard.type('print("typed in the new cell")');
      await until('the typed line under the new marker', async () =>
        /\n# %%\s*\nprint\("typed in the new cell"\)\s*$/.test(await editorText()),
      );
      // The last cell runs meanwhile (another ten minutes): interrupt it, then run the new one.
      await until('the long sleep running again', async () => (await summaryTexts()).some((t) => /^⏳ running/.test(t)), { timeout: 60_000 });
      await page.keyboard.press('Control+Alt+C');
      await until('the long sleep interrupted again', async () => (await summaryTexts()).filter((t) => /^■ \[\d+\] interrupted/.test(t)).length > 0 &&
        !(await summaryTexts()).some((t) => /^⏳ running/.test(t)), { timeout: 30_000 });
      await page.keyboard.press('Shift+Enter');
      await until('the new cell\'s result "✓ [n] ... typed in the new cell" after it', async () =>
        (await summaryTexts()).some((text) => /^✓ \[\d+\] .*typed in the new cell/.test(text)),
        { timeout: 60_000 },
      );
      await until('one more empty cell after the new one', async () => /typed in the new cell"\)\s*\n\s*\n# %%\s*$/.test(await editorText()));
      // Saved, so that closing the editors later asks nothing.
      await page.keyboard.press('Control+S');
      await until('cells.py saved', async () => !(await page.locator('.tabs-container .tab.active.dirty').count()));
    });

    await test('Restart and Run All in a # %% file reruns every cell on a fresh host: counts [1], [2], [3], names carry between cells', async () => {
      await openFile('restart.py');
      await until('the server\'s "Run cell" code lenses', () =>
        page.locator('.editor-group-container.active .codelens-decoration', { hasText: 'Run cell' }).count(),
      );
      // Run All twice on one host (the editor title's buttons, as a user finds them): counts
      // [4]-[6], and `runs` counted both runs.
      for (const round of [1, 2]) {
        await clickEditorAction('Run All');
        await until(`run ${round}: the last cell's "run ${round}: 42 from 20"`, async () =>
          (await summaryTexts()).some((t) => new RegExp(`^✓ \\[${3 * round}\\] .* · run ${round}: 42 from 20$`).test(t)),
          { timeout: 60_000 },
        );
      }
      await clickEditorAction('Restart and Run All');
      const expected = [/^✓ \[1\] \d+ ms$/, /^✓ \[2\] \d+ ms · total is 42$/, /^✓ \[3\] \d+ ms · run 1: 42 from 20$/];
      const texts = await until('the summaries [1], [2], [3] of a fresh host, the last cell using both earlier ones', async () => {
        const texts = await summaryTexts();
        return texts.length === 3 && expected.every((pattern, i) => pattern.test(texts[i])) ? texts : undefined;
      }, { timeout: 60_000 });
      log(`  ${texts.join(' | ')}`);
    });

    await test('in a narrow editor, the summary of a cell ending in a long code line stays inside the editor, status first', async () => {
      await openFile('wide.py');
      // Three editor groups side by side: each a third of the window or less.
      await runCommand('View: Split Editor Right');
      await runCommand('View: Split Editor Right');
      await until('wide.py in three editor groups', async () =>
        (await page.locator('.editor-group-container .tab', { hasText: 'wide.py' }).count()) >= 3,
      );
      const longLine = page.locator('.editor-group-container.active .view-line', { hasText: 'print(*words)' }).first();
      await longLine.click({ position: { x: 10, y: 5 } });
      await page.keyboard.press('Control+Enter');
      const summary = await until('the cell\'s summary "✓ [1] ..."', async () => (await summaries()).find((s) => /^✓ \[1\] /.test(s.text)), { timeout: 60_000 });
      // The premise: the long line is wider than the editor shows.
      const lineRight = await longLine.evaluate((line) => line.firstElementChild.getBoundingClientRect().right);
      log(`  summary "${summary.text}": ${summary.left.toFixed(0)}-${summary.right.toFixed(0)} px (lens padding ${summary.padding} px), the editor's right edge ${summary.edge.toFixed(0)} px, the long line's ${lineRight.toFixed(0)} px`);
      if (lineRight <= summary.edge) throw new Error(`the code line (right edge ${lineRight}) fits in the editor (${summary.edge}): not a narrow editor`);
      // VS Code caps a lens line at the editor's content width, then adds the line's right
      // padding (6 px, under the vertical scrollbar), where the clipped text may end.
      if (summary.right > summary.edge + summary.padding + 0.5) {
        throw new Error(`the summary runs past the editor's edge: ${summary.right.toFixed(0)} > ${summary.edge.toFixed(0)} px`);
      }
      // Its head (status, count, time) shows whole.
      if (summary.head > summary.edge) throw new Error(`the summary's status, count and time end at ${summary.head.toFixed(0)} px, out of view`);
      if (!/^✓ \[1\] \d+ ms · /.test(summary.text)) throw new Error(`the summary does not start with status, count and time: ${summary.text}`);
      // The whole output line (longer than any summary) is still reachable: the tooltip.
      const whole = Array(3).fill('a summary longer than the editor is wide').join(' ');
      if (!summary.tooltip.includes(whole)) throw new Error(`the tooltip lacks the whole output line: ${summary.tooltip}`);
      await page.screenshot({ path: path.join(OUT, 'narrow.png') });
      await tryCommand('View: Join All Editor Groups');
    });

    await tryCommand('View: Hide Panel', 'View: Close Panel');
    await tryCommand('View: Close Primary Side Bar', 'View: Hide Primary Side Bar');

    await tryCommand('View: Close All Editor Groups', 'View: Close All Editors');

    await test('a notebook picks the asyncell controller "asyncell: persistent trio loop"', async () => {
      await openFile('heartbeat.ipynb');
      await until('the notebook cells', () => page.locator('.notebook-editor .cell-list-container .code-cell-row').count());
      await clickNotebookAction('Select Kernel');
      const pick = page.locator('.quick-input-widget');
      await pick.waitFor({ state: 'visible', timeout: 10_000 });
      const trio = page.locator('.quick-input-list .monaco-list-row', { hasText: 'asyncell: persistent trio loop' });
      // VS Code may first ask for the kernel source (the extension), then the kernel.
      await until('the asyncell kernels in the picker', async () => {
        if (await trio.count()) return true;
        const source = page.locator('.quick-input-list .monaco-list-row', { hasText: 'asyncell' }).first();
        if (await source.count()) await source.click();
        return false;
      });
      await trio.first().click();
      await until('"asyncell: persistent trio loop" in the notebook toolbar', async () =>
        (await notebookToolbarText()).includes('asyncell: persistent trio loop'),
      );
    });

    await test('a cell starts a background heartbeat; a later cell sees it beating', async () => {
      await clickNotebookAction('Run All');
      await until('"heartbeat started in the background" in the first cell\'s output', () =>
        findText('heartbeat started in the background'),
        { timeout: 90_000 },
      );
      const line = await until('the second cell\'s output', () => findText(/beats while this cell slept/), { timeout: 60_000 });
      const beats = Number(/(\d+) beats while this cell slept/.exec(line)?.[1]);
      log(`  second cell: ${line.trim()}`);
      if (!(beats >= 3)) throw new Error(`the heartbeat did not beat while the cell slept: ${line}`);
    });


    await test("a background task's output and a failed task's traceback appear in the cell that started them, after it finished", async () => {
      const own = 'two tasks started; they report in this cell';
      const late = await scrollNotebookUntil('"background task: N beats after 1 s" in an output block', () => cellOutputHolding('background task:'), { timeout: 60_000 });
      log(`  that cell's outputs: ${late.replace(/\s+/g, ' ').slice(0, 160)}`);
      if (!late.includes(own)) throw new Error(`the late output is not in the cell that started the task: ${late}`);
      if (late.includes('beats while this cell slept')) throw new Error(`the late output block holds another cell's output: ${late}`);
      const failed = await until('the failed task\'s traceback in the same cell', async () => {
        const text = await cellOutputHolding('the late task gave up');
        return text.includes(own) ? text : '';
      }, { timeout: 30_000 });
      if (!/ValueError/.test(failed)) throw new Error(`no ValueError in: ${failed}`);
      // The cell itself finished long before (success icon, its execution count kept).
      const row = page.locator('.notebook-editor .code-cell-row', { hasText: 'report_later' }).first();
      const rowText = (await row.innerText()).replace(/\s+/g, ' ');
      log(`  its status bar: ${(await row.locator('.cell-statusbar-container').first().innerHTML().catch(() => '')).slice(0, 600)}`);
      // (A batch of late output shows the spinner for half a second, VS Code's minimum.)
      await until(`the cell's success mark (${rowText.slice(0, 60)}…)`, async () => (await row.locator(CELL_STATE.success).count()) > 0, { timeout: 15_000 });
      const order = await row.locator('.execution-count-label, .cell-execution-count, .execution-count').first().innerText().catch(() => '');
      log(`  execution count shown: ${order || '(none found)'}`);
      if (order && !/\[2\]/.test(order)) throw new Error(`the cell's execution count changed: ${order}`);
    });

    await test('a cell displaying a matplotlib figure shows an <img>', async () => {
      // Outputs of cells out of view are not drawn: scroll to it. A fresh machine's first
      // matplotlib import builds its font cache, which takes a while.
      const size = await scrollNotebookUntil(
        'a loaded <img> in the notebook outputs',
        async () => {
          for (const frame of await framesWith('img')) {
            const loaded = await frame
              .locator('img')
              .evaluateAll((imgs) => imgs.filter((img) => img.complete && img.naturalWidth > 100).map((img) => [img.naturalWidth, img.naturalHeight]));
            if (loaded.length) return loaded[0];
          }
          return undefined;
        },
        { timeout: 180_000 },
      );
      log(`  image ${size[0]}x${size[1]}`);
    });

    await test('the status bar shows the loop, the busy state and the task count', async () => {
      await scrollNotebookUntil('"sleeping for ten minutes" from the last cell', () => findText('sleeping for ten minutes'), { timeout: 60_000 });
      const text = await until('a busy trio status with 1 task', async () => {
        const value = await statusBarText();
        return /trio: busy \d.* · 1 task/.test(value) ? value : '';
      });
      log(`  status bar: ${text}`);
      await page.screenshot({ path: path.join(OUT, 'notebook-running.png') });
    });

    await test('Interrupt stops a sleeping cell at once', async () => {
      const clicked = Date.now();
      await clickNotebookAction('Interrupt');
      // The notebook may have scrolled the last cell's output out of the rendered range.
      await scrollNotebookUntil('KeyboardInterrupt in the sleeping cell\'s output', () => findText(/KeyboardInterrupt/), { timeout: 30_000 });
      await until('the toolbar to offer Run All again', async () => (await notebookToolbarText()).includes('Run All'), { timeout: 30_000 });
      log(`  interrupted after ${Date.now() - clicked} ms`);
      await until('an idle status with the heartbeat still running', async () => /trio: idle · 1 task/.test(await statusBarText()));
      // Bring the interrupted cell's traceback into view for the screenshot.
      await scrollNotebookUntil('the KeyboardInterrupt traceback in view', async () => {
        for (const frame of page.frames()) {
          const match = frame.getByText(/KeyboardInterrupt/).last();
          if ((await match.count().catch(() => 0)) === 0) continue;
          const box = await match.boundingBox().catch(() => null);
          if (box && box.y > 0 && box.y + box.height + 40 < page.viewportSize().height) return true;
        }
        return false;
      });
      await page.screenshot({ path: path.join(OUT, 'notebook.png') });
      log(`  screenshot: ${path.join(OUT, 'notebook.png')}`);
    });

    await test('Show Background Tasks lists the heartbeat and cancels it', async () => {
      await page.locator('[id="asyncell.asyncell.asyncell.status"], #status\\.asyncell\\.status').first().click();
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'heartbeat' });
      await row.first().waitFor({ timeout: 10_000 });
      await row.first().click();
      const cancel = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Cancel task' });
      await cancel.first().waitFor({ timeout: 10_000 });
      await cancel.first().click();
      await until('the task count to leave the status bar', async () => /trio: idle$/.test((await statusBarText()).trim()), { timeout: 15_000 });
    });

    await test('Restart in the notebook toolbar gives a fresh loop', async () => {
      await clickNotebookAction('Restart');
      await until('a fresh host (idle, no tasks)', async () => /trio: (idle|not started)$/.test((await statusBarText()).trim()), { timeout: 60_000 });
      // The second cell reads `beats`, which the old loop's namespace had.
      const cell = page.locator('.notebook-editor .code-cell-row', { hasText: 'beats while this cell slept' }).first();
      // The notebook shows its end (the interrupted cell): the cell is above, maybe not drawn.
      await scrollNotebookUntil('the cell reading beats in view', () => inNotebookView(cell), { up: true, timeout: 30_000 });
      await cell.hover();
      await cell.locator('.run-button-container .action-label').first().click();
      // The clicked cell is in view, and so is the output that appears under it.
      await until("NameError: name 'beats' is not defined under the cell", () => findText(/NameError: name 'beats' is not defined/), { timeout: 60_000 });
    });


    let runClickedAt = 0;
    let interruptClickedAt = 0;
    await test('Restart and Run All reruns every cell on a fresh loop; the status bar follows the cells within 100 ms', async () => {
      // The first cell in view, so that the trace sees its spinner (cells out of view are
      // not drawn): the status bar is timed against the first cell that runs.
      const first = page.locator('.notebook-editor .code-cell-row', { hasText: 'beats = []' }).first();
      await scrollNotebookUntil('the first code cell in view', () => inNotebookView(first), { up: true, timeout: 30_000 });
      await startTrace();
      runClickedAt = await page.evaluate(() => performance.now());
      await clickNotebookAction('Restart and Run All');
      // The old outputs stay until each cell runs again: wait for the last cell's spinner
      // with its fresh print (a fresh host imports trio and matplotlib again first).
      const sleeping = page.locator('.notebook-editor .code-cell-row', { hasText: 'await trio.sleep(600)' }).first();
      await scrollNotebookUntil('the last cell running again, with "sleeping for ten minutes"', async () =>
        (await sleeping.count()) && (await sleeping.locator(CELL_STATE.executing).count()) && findText('sleeping for ten minutes'),
        { timeout: 180_000 });
      await until('the second code cell\'s beats again (no NameError)', async () => !(await findText(/NameError: name 'beats'/)) && findText(/beats while this cell slept/), { timeout: 30_000 });
      await until('a busy trio status', async () => /trio: busy/.test(await statusBarText()));
    });

    await test('the Variables view shows the live namespace, and a heartbeat counter climbs in it while a cell awaits', async () => {
      await runCommand('asyncell: Show Variables');
      const first = await until('"beats" in the Variables view', async () => (await panelTreeRows()).find((row) => row.label === 'beats'), { timeout: 30_000 });
      const size = (row) => Number(/len (\d+)/.exec(row.description)?.[1]);
      log(`  beats: ${first.description}`);
      if (!/^list · len \d+ = \[/.test(first.description)) throw new Error(`unexpected row: ${first.description}`);
      const later = await until('the beats count to change while the last cell sleeps', async () => {
        const row = (await panelTreeRows()).find((r) => r.label === 'beats');
        return row && size(row) > size(first) ? row : undefined;
      }, { timeout: 30_000 });
      log(`  then: ${later.description}`);
      const names = (await panelTreeRows()).map((row) => row.label);
      for (const name of ['heartbeat', 'report_later', 'gaps']) {
        if (!names.includes(name)) throw new Error(`"${name}" is not in the Variables view: ${names.join(', ')}`);
      }
      if (!/trio: busy/.test(await statusBarText())) throw new Error('the last cell is no longer running');
      // The screenshot: the late output inside its cell, the live variables below.
      const lateCell = page.locator('.notebook-editor .code-cell-row', { hasText: 'report_later' }).first();
      await until('the cell with the late output at the top of the notebook', async () => {
        const box = (await lateCell.count()) ? await lateCell.boundingBox().catch(() => null) : null;
        if (box && box.y >= 90 && box.y < 200) return true;
        const list = await page.locator('.notebook-editor .monaco-list').first().boundingBox();
        await page.mouse.move(list.x + list.width / 2, list.y + list.height / 2);
        await page.mouse.wheel(0, box ? Math.max(-300, Math.min(300, box.y - 120)) : -400);
        await page.waitForTimeout(100);
        return false;
      });
      await page.screenshot({ path: path.join(OUT, 'variables.png') });
      log(`  screenshot: ${path.join(OUT, 'variables.png')}`);
    });


    await test('hover in a notebook cell shows the live object from the running host', async () => {
      const cell = page.locator('.notebook-editor .code-cell-row', { hasText: 'before = len(beats)' }).first();
      const token = cell.locator('.view-line span span', { hasText: /^beats$/ }).first();
      await scrollNotebookUntil('the cell reading beats in view', () => inNotebookView(token), { timeout: 30_000 });
      // The hover shows "Loading..." until the host answers (later on a slow machine):
      // wait for its content under a still pointer (moving away cancels the request), and
      // hover again only when no hover shows, or it stays without the live value. Only the
      // editor's own hover counts (a button's tooltip is a .monaco-hover too, and one can
      // linger from an earlier click).
      const hover = page.locator('.monaco-resizable-hover:visible .monaco-hover', { hasText: /\S/ });
      const live = async () => (await hover.allInnerTexts()).find((value) => /live list/.test(value) && /\d/.test(value)) ?? '';
      const text = await until('a hover naming beats as a live list', async () => {
        if (!(await hover.count())) {
          await page.mouse.move(0, 0);
          await token.hover({ timeout: 10_000 });
          await hover.first().waitFor({ state: 'visible', timeout: 10_000 });
        }
        const found = await until('the live value in the hover', live, { timeout: 20_000 }).catch(() => '');
        if (!found) await page.mouse.move(0, 0);
        return found;
      }, { timeout: 90_000, interval: 500 });
      log(`  hover: ${text.replace(/\s+/g, ' ').slice(0, 160)}`);
      await page.mouse.move(0, 0);
    });

    await test('Interrupt after Restart and Run All: the status bar says idle within 100 ms of the cell', async () => {
      // Cells out of view are not drawn: bring the sleeping one (and its spinner) into view.
      const sleeping = page.locator('.notebook-editor .code-cell-row', { hasText: 'await trio.sleep(600)' }).first();
      await scrollNotebookUntil('the sleeping cell with its spinner in view', async () => (await sleeping.count()) && (await sleeping.locator(CELL_STATE.executing).count()), { timeout: 60_000 });
      interruptClickedAt = await page.evaluate(() => performance.now());
      await clickNotebookAction('Interrupt');
      await until('an idle trio status', async () => /trio: idle/.test(await statusBarText()), { timeout: 30_000 });
      await scrollNotebookUntil('KeyboardInterrupt in the sleeping cell\'s output', () => findText(/KeyboardInterrupt/), { timeout: 30_000 });
      await page.waitForTimeout(300); // trace a little past the end
      const trace = await stopTrace();
      const after = (t) => trace.filter((e) => e.t >= t);
      const firstRun = after(runClickedAt).find((e) => e.executing > 0);
      const firstBusy = after(runClickedAt).find((e) => /busy/.test(e.status));
      if (!firstRun || !firstBusy) throw new Error(`no running cell or no busy status in the trace: ${JSON.stringify(trace.slice(0, 20))}`);
      const startLag = firstBusy.t - firstRun.t;
      // The interrupted cell shows its failure icon: one error more than before the click.
      const errorsBefore = trace.filter((e) => e.t < interruptClickedAt).at(-1)?.error ?? 0;
      const ended = after(interruptClickedAt).find((e) => e.error > errorsBefore);
      const idle = after(interruptClickedAt).find((e) => /idle/.test(e.status));
      if (!ended || !idle) throw new Error(`no end or no idle in the trace: ${JSON.stringify(trace.slice(-20))}`);
      const endLag = idle.t - ended.t;
      log(`  status bar: busy ${Math.round(startLag)} ms after the first cell showed running, idle ${Math.round(endLag)} ms after the last cell showed its end`);
      // What the page showed from the click to the later of the two (for a lag's post-mortem).
      const upTo = Math.max(firstRun.t, firstBusy.t);
      const changes = after(runClickedAt).filter((e) => e.t <= upTo).slice(-12);
      log(`  from the click: ${changes.map((e) => `+${Math.round(e.t - runClickedAt)} ms ${e.status.trim()} [${e.executing} running, ${e.success} ok, ${e.error} failed]`).join('; ')}`);
      // The target is 100 ms (logged above); the machines that run this are shared and noisy,
      // so the test fails only when the status bar does not follow the cells at all.
      const BOUND = 1000;
      if (startLag > BOUND) throw new Error(`the status bar said busy ${startLag} ms after a cell showed running`);
      if (endLag > BOUND) throw new Error(`the status bar said idle ${endLag} ms after the cell ended`);
    });


    await test('the selected kernel\'s loop wins: the asyncio kernel runs a notebook the server would run on trio', async () => {
      await tryCommand('View: Hide Panel', 'View: Close Panel');
      await openFile('loops.ipynb');
      await until('the notebook cells', () => page.locator('.notebook-editor .cell-list-container .code-cell-row').count());
      await selectKernel('asyncell: persistent asyncio loop');
      await clickNotebookAction('Run All');
      const asyncio = await until("'asyncio' as the cell's result", () => findText(/^'asyncio'$/), { timeout: 120_000 });
      log(`  asyncio kernel: ${asyncio.trim()}`);
      await until('an asyncio status for loops.ipynb', async () => /asyncio: idle/.test(await statusBarText()));
      // Back to trio: the notebook's host is replaced by a trio one.
      await selectKernel('asyncell: persistent trio loop');
      await clickNotebookAction('Run All');
      const trio = await until("'trio' as the cell's result", () => findText(/^'trio'$/), { timeout: 120_000 });
      log(`  trio kernel: ${trio.trim()}`);
      await until('a trio status for loops.ipynb', async () => /trio: idle/.test(await statusBarText()));
    });

    await test('changing asyncell.loop is sent to the server (didChangeConfiguration)', async () => {
      await openFile('loop200.py');
      await until('"asyncio: not started" for loop200.py (it imports asyncio)', async () =>
        /asyncio: not started/.test(await statusBarText()),
      );
      updateSettings({ 'asyncell.loop': 'trio' });
      await until('"trio: not started" once the setting reached the server', async () =>
        /trio: not started/.test(await statusBarText()),
      );
    });

    await test('selecting a Python environment with asyncell installed switches the server to its bin/asyncell', async () => {
      if (!PYENV) throw new Error('E2E_PYENV is not set');
      updateSettings({ 'python.defaultInterpreterPath': `${PYENV}/bin/python` });
      const message = await showServerBinary(`${PYENV}/bin/asyncell`);
      log(`  ${message}`);
      if (!message.includes(`(from the selected Python environment (python.defaultInterpreterPath: ${PYENV}/bin/python))`)) {
        throw new Error(`not from the selected Python environment: ${message}`);
      }
      // The restarted server works: the status bar of loop200.py comes back.
      await until('a status for loop200.py from the new server', async () => /trio: not started/.test(await statusBarText()));
    });

    await test('a missing asyncell binary raises a notification saying how to install it', async () => {
      updateSettings({ 'asyncell.path': '/nonexistent/asyncell' });
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: '/nonexistent/asyncell' });
      await toast.first().waitFor({ state: 'visible', timeout: 30_000 });
      const message = await toast.first().locator('.notification-list-item-message').innerText();
      log(`  notification: ${message}`);
      if (!message.includes('pip install asyncell')) throw new Error(`no install hint in: ${message}`);
    });

    await test('an extension update the server does not match warns once per session, naming both versions', async () => {
      if (!NEXT_VSIX) throw new Error('E2E_NEXT_VSIX is not set');
      // Back to the Python environment's asyncell (the previous test broke asyncell.path).
      updateSettings({ 'asyncell.path': '' });
      // The user installs a newer release of the extension; their environment keeps asyncell 0.1.0.
      await runCommand('Extensions: Install from VSIX...');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      // The simple file dialog fills in its start folder after it opens, and that can
      // overwrite a path typed too early (seen under load): wait for it, then type until
      // the path stays.
      await until('the file dialog to show its start folder', async () => (await input.inputValue()).length > 0);
      await until('the .vsix path to stay typed', async () => {
        await input.fill(NEXT_VSIX);
        await page.waitForTimeout(500);
        return (await input.inputValue()) === NEXT_VSIX;
      });
      await page.keyboard.press('Enter');
      await until('the install to complete', async () =>
        (await page.locator('.notifications-toasts .notification-toast').allInnerTexts()).some((t) => /Completed installing|installed/i.test(t)),
        { timeout: 60_000 },
      );
      const reloaded = page.waitForEvent('load', { timeout: 60_000 });
      await runCommand('Developer: Reload Window');
      await reloaded;
      // The reloaded window restores loop200.py, which activates the new extension.
      await until('the restored loop200.py after the reload', () =>
        page.locator('.monaco-workbench .tabs-container .tab', { hasText: 'loop200.py' }).count(),
        { timeout: 60_000 },
      );
      const warning = page.locator('.notifications-toasts .notification-toast', { hasText: 'features may not work' });
      await warning.first().waitFor({ state: 'visible', timeout: 60_000 });
      const message = (await warning.first().locator('.notification-list-item-message').innerText()).replace(/\s+/g, ' ');
      log(`  warning: ${message}`);
      const expected =
        `asyncell: the language server ${PYENV}/bin/asyncell (from the selected Python environment ` +
        `(python.defaultInterpreterPath: ${PYENV}/bin/python)) is version ${VERSION}, but the extension is version ${NEXT_VERSION}; ` +
        `features may not work. Run \`pip install asyncell==${NEXT_VERSION}\` in that Python environment, or set \`asyncell.path\`.`;
      if (message !== expected) throw new Error(`expected: ${expected}\n     got: ${message}`);
      await warning.first().hover();
      await warning.first().locator('.codicon-notifications-clear, .codicon-close').first().click();
      await until('the warning to close', async () => !(await warning.count()));
      // A restart on the same old binary (now through the setting) does not warn again.
      updateSettings({ 'asyncell.path': `${PYENV}/bin/asyncell` });
      const info = await showServerBinary('(from the asyncell.path setting)');
      if (!info.includes(`version ${VERSION}; the extension is version ${NEXT_VERSION}`)) throw new Error(`unexpected: ${info}`);
      if (await warning.count()) throw new Error('the version warning showed again after a restart');
    });
  } finally {
    await context.close().catch(() => undefined);
  }
}

try {
  await main();
} catch (error) {
  results.push({ name: 'setup', ok: false, error });
  log(`not ok - setup: ${error.stack ?? error}`);
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
