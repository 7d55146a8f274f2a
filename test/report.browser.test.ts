import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import '../src/cli/extra-commands.js';
import { findChromium, openInChromium, regionStats } from './helpers/browser.js';
import { exampleRun } from './helpers/report-run.js';
import { tempDir } from './helpers/tmp.js';

// The HTML report of a real run of the example model, opened in headless Chromium with page scripts
// disabled: the charts must have drawn marks and ink, and the page must request nothing but itself.
describe('bench report HTML in a real browser (Chromium)', function () {
  this.timeout(600000);
  const chromium = findChromium();

  it('renders every chart as SVG with marks and pixels, with scripts disabled and no network request', async function () {
    if ('missing' in chromium) {
      console.log(`      skipped: ${chromium.missing}`);
      this.skip();
    }
    const run = await exampleRun();
    const html = join(tempDir(), 'report.html');
    const io = memoryIo();
    expect(await main(['report', run, '--out', html], io), io.err.join('')).to.equal(0);
    const text = readFileSync(html, 'utf8');
    expect(text).not.to.match(/<script|<link|<img|<iframe|@import|url\(/i);

    const page = await openInChromium(chromium.path, html);
    expect(page.requests, 'requests').to.deep.equal([pathToFileURL(html).href]);
    const names = page.charts.map((c) => c.name);
    // frontier, score vs compute for both tasks, per-assay Spearman, per-protein precision
    expect(names).to.include.members(['frontier', 'compute-contacts', 'compute-fitness', 'items-contacts', 'items-fitness']);
    for (const c of page.charts) {
      expect(c.width, `${c.name} width`).to.be.greaterThan(200);
      expect(c.height, `${c.name} height`).to.be.greaterThan(100);
      expect(c.marks, `${c.name} marks`).to.be.greaterThan(5);
      const s = regionStats(page.png, c);
      expect(s.total, `${c.name} inside the screenshot`).to.be.greaterThan(0.9 * c.width * c.height);
      // Axes, curves, points and shaded ranges: a chart that failed to draw is blank or one colour.
      expect(s.inked / s.total, `${c.name} ink`).to.be.greaterThan(0.01);
      expect(s.colours, `${c.name} colours`).to.be.greaterThan(4);
    }
    // The page around the charts (tables, text) is not blank either.
    const whole = regionStats(page.png, { x: 0, y: 0, width: page.width, height: page.height });
    expect(whole.inked / whole.total).to.be.greaterThan(0.02);
  });
});
