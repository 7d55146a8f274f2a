import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import CDP from 'chrome-remote-interface';
import { PNG } from 'pngjs';

/** The system Chromium (Debian's `chromium`, installed by .ci/setup-chromium.sh), or why there is none. */
export function findChromium(): { path: string } | { missing: string } {
  const env = process.env.PLMBENCH_CHROMIUM;
  const candidates = env ? [env] : ['chromium', 'chromium-browser', 'google-chrome'];
  for (const c of candidates) {
    const r = spawnSync(c, ['--version'], { encoding: 'utf8', timeout: 30000 });
    if (r.status === 0) return { path: c };
  }
  return { missing: `no Chromium found (${candidates.join(', ')}; run .ci/setup-chromium.sh or set PLMBENCH_CHROMIUM)` };
}

export interface ChartBox {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Mark elements (paths, rects, lines, circles, text) inside the chart's Vega mark groups. */
  marks: number;
}

export interface PageCheck {
  /** Every request the page made (URL), the document's own included. */
  requests: string[];
  charts: ChartBox[];
  png: Buffer;
  /** CSS pixels per device pixel of the screenshot (1 here). */
  width: number;
  height: number;
}

/**
 * Opens an HTML file in headless Chromium with page scripts disabled, records every network request
 * over the DevTools protocol, measures the chart figures and takes a full-page screenshot.
 */
export async function openInChromium(chromium: string, htmlPath: string, viewport = { width: 1200, height: 900 }): Promise<PageCheck> {
  const profile = mkdtempSync(join(tmpdir(), 'plmbench-chromium-'));
  let proc: ChildProcess | null = null;
  let client: CDP.Client | null = null;
  try {
    proc = spawn(
      chromium,
      [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--hide-scrollbars',
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-extensions',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        '--remote-debugging-port=0',
        `--window-size=${viewport.width},${viewport.height}`,
        'about:blank',
      ],
      { stdio: 'ignore' },
    );
    const port = await devtoolsPort(profile, proc);
    const targets = await CDP.List({ port });
    const page = targets.find((t) => t.type === 'page');
    if (!page) throw new Error('chromium: no page target');
    client = await CDP({ port, target: page.id });
    const { Network, Page, Runtime, Emulation } = client;
    const requests: string[] = [];
    Network.requestWillBeSent((p) => void requests.push(p.request.url));
    await Network.enable({});
    await Page.enable();
    await Emulation.setScriptExecutionDisabled({ value: true });
    await Emulation.setDeviceMetricsOverride({ width: viewport.width, height: viewport.height, deviceScaleFactor: 1, mobile: false });
    const loaded = Page.loadEventFired();
    await Page.navigate({ url: pathToFileURL(htmlPath).href });
    await loaded;
    const probe = await Runtime.evaluate({
      returnByValue: true,
      expression: `(() => {
        const charts = [...document.querySelectorAll('figure.chart')].map((f) => {
          const svg = f.querySelector('svg');
          const r = (svg || f).getBoundingClientRect();
          const marks = svg ? svg.querySelectorAll('g[class*="mark-"] path, g[class*="mark-"] rect, g[class*="mark-"] line, g[class*="mark-"] circle').length : 0;
          return { name: f.getAttribute('data-chart'), x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height, marks };
        });
        return { charts, height: document.documentElement.scrollHeight };
      })()`,
    });
    const value = probe.result.value as { charts: ChartBox[]; height: number };
    const height = Math.min(value.height, 16000);
    await Emulation.setDeviceMetricsOverride({ width: viewport.width, height, deviceScaleFactor: 1, mobile: false });
    const shot = await Page.captureScreenshot({
      format: 'png',
      captureBeyondViewport: true,
      clip: { x: 0, y: 0, width: viewport.width, height, scale: 1 },
    });
    return { requests, charts: value.charts, png: Buffer.from(shot.data, 'base64'), width: viewport.width, height };
  } finally {
    if (client) await client.close().catch(() => {});
    if (proc && proc.exitCode === null) {
      proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Chromium writes the port it chose to <profile>/DevToolsActivePort. */
async function devtoolsPort(profile: string, proc: ChildProcess): Promise<number> {
  const file = join(profile, 'DevToolsActivePort');
  for (let i = 0; i < 600; i++) {
    if (proc.exitCode !== null) throw new Error(`chromium exited with ${proc.exitCode} before opening its DevTools port`);
    if (existsSync(file)) {
      const port = Number(readFileSync(file, 'utf8').split('\n')[0]);
      if (port > 0) return port;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('chromium did not open its DevTools port within 60 s');
}

/** Pixel statistics of a region of a PNG: pixels that are not near-white, and distinct colours. */
export function regionStats(
  png: Buffer,
  box: { x: number; y: number; width: number; height: number },
): { inked: number; total: number; colours: number } {
  const img = PNG.sync.read(png);
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(img.width, Math.ceil(box.x + box.width));
  const y1 = Math.min(img.height, Math.ceil(box.y + box.height));
  let inked = 0;
  const colours = new Set<number>();
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * img.width + x) * 4;
      const r = img.data[i]!;
      const g = img.data[i + 1]!;
      const b = img.data[i + 2]!;
      if (r < 235 || g < 235 || b < 235) inked++;
      colours.add(((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3));
    }
  }
  return { inked, total: Math.max(0, x1 - x0) * Math.max(0, y1 - y0), colours: colours.size };
}
