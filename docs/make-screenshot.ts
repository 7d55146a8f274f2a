// Makes docs/report-example.png: the HTML report of a run of the example model, as headless Chromium
// shows it (scripts disabled). Usage:
//   npx bench all --model models/plm-mlm-mini.onnx --tier smoke --out /tmp/example.json
//   node --import tsx docs/make-screenshot.ts /tmp/example.json [docs/report-example.png] [height]
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import '../src/cli/extra-commands.js';
import { findChromium, openInChromium } from '../test/helpers/browser.js';

const [run, out = 'docs/report-example.png', height = '2400'] = process.argv.slice(2);
if (!run) throw new Error('usage: docs/make-screenshot.ts <run.json> [out.png] [height]');
const chromium = findChromium();
if ('missing' in chromium) throw new Error(chromium.missing);
const html = join(mkdtempSync(join(tmpdir(), 'plmbench-shot-')), 'report.html');
const io = memoryIo();
if ((await main(['report', run, '--out', html], io)) !== 0) throw new Error(io.err.join(''));
const page = await openInChromium(chromium.path, html);
// The top of the page: summary, frontier and the first tasks' tables and charts.
const img = PNG.sync.read(page.png);
const h = Math.min(img.height, Number(height));
const top = new PNG({ width: img.width, height: h });
img.data.copy(top.data, 0, 0, img.width * h * 4);
writeFileSync(out, PNG.sync.write(top, { colorType: 2 }));
console.log(`${out}: ${img.width}x${h} of a ${img.height} px page, ${page.charts.length} charts, requests: ${page.requests.join(', ')}`);
