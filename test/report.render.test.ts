import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import '../src/cli/extra-commands.js';
import { readReportInputs, subjectsFromLeaderboard } from '../src/report/report-data.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderHtml } from '../src/report/html.js';
import { runSummaryText } from '../src/report/summary-text.js';
import { exampleRun } from './helpers/report-run.js';
import { tempDir } from './helpers/tmp.js';

const BOARD = 'results/example-leaderboard.json';

async function report(args: string[]) {
  const io = memoryIo();
  const code = await main(['report', ...args], io);
  return { code, out: io.out.join(''), err: io.err.join('') };
}

describe('bench report (Markdown and HTML)', function () {
  this.timeout(600000);

  it('Markdown of the example leaderboard: headline table with intervals, n and ranks; matched compute; frontier', async () => {
    const r = await report([BOARD]);
    expect(r.code, r.err).to.equal(0);
    const board = JSON.parse(readFileSync(BOARD, 'utf8')) as {
      entries: {
        id: string;
        tasks: Record<string, { headline?: string; metrics?: Record<string, { value: number; n: number }>; rank?: number }>;
      }[];
    };
    expect(r.out).to.match(/^## plmbench report: /);
    for (const e of board.entries) {
      expect(r.out).to.contain(`| ${e.id} |`);
      const t = e.tasks['fitness']!;
      const m = t.metrics![t.headline!]!;
      // the value as the table prints it (4 significant digits), its n and its rank
      expect(r.out).to.contain(`${Number(m.value.toPrecision(4))} [`);
      expect(r.out).to.contain(`(n=${m.n}) #${t.rank}`);
    }
    // the example models are six decades below the baselines' compute: no verdict, the gap instead
    expect(r.out).to.match(
      /\| plm-mlm-mini \| fitness\.spearman \| esm2\* \| same-data \| [\d.]+ \| [^|]+ \| out-of-range \| model compute 5\.9\d* decades below the esm2 range/,
    );
    expect(r.out).to.not.match(/\*\*(better|worse)\*\*/);
    expect(r.out).to.contain('<details><summary>Runs, protocols and data hashes</summary>');
    expect(r.out.endsWith('\n')).to.equal(true);
  });

  it('HTML of the example leaderboard: self-contained (no script, no external reference), charts as SVG, deterministic', async () => {
    const dir = tempDir();
    const a = join(dir, 'a.html');
    const b = join(dir, 'b.html');
    expect((await report([BOARD, '--out', a])).code).to.equal(0);
    expect((await report([BOARD, '--out', b, '--quiet'])).code).to.equal(0);
    const html = readFileSync(a, 'utf8');
    expect(html).to.equal(readFileSync(b, 'utf8'));
    expect(html).not.to.match(/<script|<link|<img|<iframe|@import|url\(|\ssrc=|\shref="(?!#)/i);
    // every chart a static SVG; http(s) only as XML namespaces
    const svgs = html.match(/<svg[^>]*>/g) ?? [];
    expect(svgs.length).to.be.greaterThanOrEqual(7); // frontier + a score-vs-compute chart per task (6)
    expect(html.replace(/xmlns(:xlink)?="http:\/\/www\.w3\.org\/[^"]+"/g, '')).not.to.match(/https?:\/\//);
    expect(html).to.contain('data-chart="compute-fitness"');
    expect(html).to.contain('<details><summary>Runs, protocols and data hashes</summary>');
  });

  it('reports a real run: per-assay and per-protein charts, baselines on the same assays, protocol and data hashes', async () => {
    const run = await exampleRun();
    const data = readReportInputs([{ path: run, shownAs: run }]);
    const html = await renderHtml(data, 'test');
    for (const c of ['frontier', 'compute-contacts', 'compute-fitness', 'items-contacts', 'items-fitness'])
      expect(html).to.contain(`data-chart="${c}"`);
    const r = JSON.parse(readFileSync(run, 'utf8')) as { tasks: Record<string, { data: { sha256: string }[]; items: { id: string }[] }> };
    for (const d of r.tasks['fitness']!.data) expect(html).to.contain(d.sha256);
    // the per-assay chart names every assay of the run
    const items = html.slice(html.indexOf('data-chart="items-fitness"'));
    for (const it of r.tasks['fitness']!.items) expect(items).to.contain(it.id);
    const md = renderMarkdown(data, 'test');
    expect(md).to.match(/\| fitness \| spearman \| -?[\d.]+ \[-?[\d.]+, -?[\d.]+\] \(n=\d+\) \|/);
    expect(runSummaryText(data.subjects[0]!, run)).to.contain(`result JSON: ${run}`);
  });

  it('reads the verdicts and fields of matched compute v2 (out-of-range with its compute gap, protocol-differs) and the curves the board stores once', async () => {
    const board = JSON.parse(readFileSync(BOARD, 'utf8')) as Record<string, unknown> & {
      curves: Record<string, unknown>;
      entries: { matchedCompute: { comparisons: Record<string, unknown>[] } }[];
    };
    expect(Object.keys(board.curves).length, 'the example board stores its curves once').to.be.greaterThan(0);
    const fit = board.entries[0]!.matchedCompute.comparisons.find((c) => c.task === 'fitness' && c.metric === 'spearman' && c.primary)!;
    expect(fit.curve, 'leaderboard comparisons carry a curveId, not the curve').to.equal(undefined);
    fit.verdict = 'out-of-range';
    fit.clamped = 'below';
    fit.computeGap = { side: 'below', decades: 6.8, nearest: 'progen2-small' };
    fit.verdictReason = 'the model is outside the progen2 compute range';
    const con = board.entries[0]!.matchedCompute.comparisons.find((c) => c.task === 'contacts' && c.metric === 'p_at_l_long')!;
    con.verdict = 'protocol-differs';
    con.computeGap = null;
    con.clamped = null;
    con.verdictReason = 'scored with another protocol';
    con.protocol = { baseline: 'esm', run: 'seqres', same: false };
    const subjects = subjectsFromLeaderboard(board, 'board.json');
    const md = renderMarkdown({ files: [], subjects, matchedData: [] }, 'test');
    expect(md).to.match(
      /\| fitness\.spearman \| progen2\* \| same-data \| [\d.-]+ \| [^|]+ \| out-of-range \| model compute 6\.8 decades below the progen2 range \(nearest point progen2-small\): not matched; the model is outside the progen2 compute range/,
    );
    expect(md).to.match(
      /\| protocol-differs \| (published baseline on other data; )?baseline protocol esm, this run seqres; scored with another protocol \|/,
    );
    // the curve comes back from the board: the fitness chart still has the family points
    const html = await renderHtml({ files: [], subjects, matchedData: [] }, 'test');
    const chart = html.slice(html.indexOf('data-chart="compute-fitness"'));
    expect(chart.slice(0, chart.indexOf('</figure>'))).to.contain('progen2-xlarge');
  });

  it('bad input: one line, exit 2, nothing written', async () => {
    const dir = tempDir();
    const out = join(dir, 'r.html');
    const notJson = join(dir, 'x.json');
    writeFileSync(notJson, '{ nope');
    const cases: [string[], RegExp][] = [
      [[], /^bench: bench report: give one or more run or leaderboard JSON files\n$/],
      [[join(dir, 'missing.json'), '--out', out], /^bench: .*missing\.json: report input not found\n$/],
      [[notJson, '--out', out], /^bench: .*x\.json: not valid JSON \(.*\)\n$/],
      [
        [BOARD, '--out', join(dir, 'r.pdf')],
        /^bench: --out .*r\.pdf: the format follows the extension \(\.html or \.md\); give --format md\|html for another name\n$/,
      ],
      [[BOARD, '--format', 'pdf'], /^bench: --format: must be md or html, got "pdf"\n$/],
      [[BOARD, BOARD], /^bench: report: the run \S+ of plm-clm-mini is given twice/],
    ];
    for (const [args, re] of cases) {
      const r = await report(args);
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.err).to.match(re);
      expect(r.err.split('\n').filter(Boolean)).to.have.length(1);
    }
    expect(existsSync(out)).to.equal(false);
  });
});
