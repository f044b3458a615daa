// Drives JupyterLab in Chromium (playwright-core): opens a notebook whose kernelspec is
// "Python (asyncell, trio)", runs a heartbeat cell and one that reads it, schedules a
// background task, interrupts a cell awaiting trio.sleep(600), checks the heartbeat
// still beats and that the background task's output landed under its own cell.
// Usage: node drive.mjs URL SCREENSHOT.png   (prints one JSON line: what it saw)
import { createRequire } from 'node:module';
import path from 'node:path';

// playwright-core from the node_modules named by NODE_PATH (ESM imports ignore NODE_PATH).
const require = createRequire(path.join(process.env.NODE_PATH ?? '.', 'noop.js'));
const { chromium } = require('playwright-core');

const [url, screenshot] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const t0 = Date.now();
const log = (...args) => console.error(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...args);

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
const seen = {};
let page;
let describe = async () => ({});
try {
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  log('opening', url.replace(/token=[^&]+/, 'token=…'));
  await page.goto(url);
  const cells = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell');
  await cells.first().waitFor({ timeout: 60000 });
  // Wait for the kernel: the toolbar's kernel name, then an idle status.
  await page.locator('.jp-KernelName', { hasText: 'asyncell' }).first().waitFor({ timeout: 60000 });
  seen.kernel = (await page.locator('.jp-KernelName').first().innerText()).trim();
  const output = (i) => cells.nth(i).locator('.jp-OutputArea');
  const waitText = async (i, text, timeout = 30000) => {
    await output(i).getByText(text).first().waitFor({ timeout });
  };
  const prompt = async (i) => (await cells.nth(i).locator('.jp-InputPrompt').innerText()).trim();
  // Shift+Enter only runs the cell that has focus: while JupyterLab is still laying the
  // notebook out, a click may land before the editor takes focus and the key goes
  // nowhere. A run counts once the cell's prompt shows it queued ([*]) or done ([n]);
  // until then the key is pressed again (at most 3 times).
  const run = async (i) => {
    for (let attempt = 1; ; attempt++) {
      await cells.nth(i).locator('.jp-InputArea-editor').click();
      await page.keyboard.press('Shift+Enter');
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        if (/\[(\*|\d+)\]/.test(await prompt(i))) {
          log(`cell ${i + 1} queued (attempt ${attempt})`);
          return;
        }
        await page.waitForTimeout(100);
      }
      if (attempt === 3) throw new Error(`cell ${i + 1} never queued: its prompt reads "${await prompt(i)}"`);
    }
  };
  // What the page showed, for a failure report.
  describe = async () => ({
    prompts: await Promise.all([0, 1, 2, 3, 4].map((i) => prompt(i).catch(() => '?'))),
    outputs: await Promise.all([0, 1, 2, 3, 4].map((i) => output(i).innerText().catch(() => '?'))),
    status: await page.locator('.jp-StatusBar-Item', { hasText: /Idle|Busy|Starting|Connecting|Unknown|Dead|Restarting/i })
      .first().innerText({ timeout: 1000 }).catch(() => '?'),
  });
  await run(0);
  // The first execution also waits for the kernel's start on a loaded machine.
  await waitText(0, 'heartbeat started', 90000);
  await run(1);
  await waitText(1, 'beating');
  seen.beating = (await output(1).innerText()).trim();
  await run(2);
  await waitText(2, 'scheduled');
  await run(3); // await trio.sleep(600)
  await page.waitForTimeout(1000);
  // The background task prints ~1.5 s after cell 3 ran, while cell 4 runs.
  await waitText(2, 'late output from a background task', 10000);
  seen.late_under_own_cell = true;
  seen.late_not_under_running_cell = !(await output(3).innerText()).includes('late output');
  log('interrupting');
  const started = Date.now();
  await page.keyboard.press('Escape');
  await page.keyboard.press('i');
  await page.keyboard.press('i');
  await waitText(3, /Cancelled|KeyboardInterrupt|interrupt/i, 15000);
  seen.interrupt_ms = Date.now() - started;
  seen.interrupted = (await output(3).innerText()).trim().split('\n')[0];
  await run(4);
  await waitText(4, /still beating|stopped/);
  seen.after_interrupt = (await output(4).innerText()).trim();
  await page.screenshot({ path: screenshot });
} catch (error) {
  seen.error = String(error);
  seen.page = await describe().catch((e) => String(e));
  await page.screenshot({ path: screenshot }).catch(() => {});
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
