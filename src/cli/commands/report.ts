import { extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchError } from '../../util/errors.js';
import { assertWritable, writeFileAtomic } from '../../util/fs.js';
import { harnessInfo } from '../../report/harness.js';
import { readReportInputs } from '../../report/report-data.js';
import { renderMarkdown } from '../../report/markdown.js';
import { renderHtml } from '../../report/html.js';
import type { CliIo } from '../io.js';

export const REPORT_HELP = `bench report <run.json|leaderboard.json>... [--out report.html|report.md]   a report people can read
  Markdown (fits $GITHUB_STEP_SUMMARY and a PR comment; a gate table can be appended to it) or one
  self-contained HTML file (tables with intervals, score-vs-compute charts against ESM-2 and ProGen2,
  the compute-optimal frontier, per-item charts, protocols and data hashes; static SVG, no script, no
  network). Run files and leaderboards can be mixed.

  --out PATH            report.html or report.md (the format follows the extension); without it
                        Markdown goes to stdout
  --format md|html      the format when --out has another extension, or for stdout
  --quiet               nothing on stderr
`;

export async function reportCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      format: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout(REPORT_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new BenchError('E_USAGE', 'bench report: give one or more run or leaderboard JSON files');
  const out = values.out ? resolve(io.cwd, values.out) : null;
  const format = reportFormat(values.format, out);
  if (out) assertWritable(out, '--out');
  const t0 = performance.now();
  const data = readReportInputs(positionals.map((p) => ({ path: resolve(io.cwd, p), shownAs: p })));
  const h = harnessInfo();
  const generator = `plmbench ${h.version}${h.commit ? ` (${h.commit.slice(0, 10)})` : ''}`;
  const text = format === 'html' ? await renderHtml(data, generator) : renderMarkdown(data, generator);
  if (!out) {
    io.stdout(text);
    return 0;
  }
  writeFileAtomic(out, text);
  if (!values.quiet)
    io.stderr(
      `bench: wrote ${out} (${format}, ${Buffer.byteLength(text)} bytes, ${data.subjects.length} model(s), ${((performance.now() - t0) / 1000).toFixed(2)} s)\n`,
    );
  return 0;
}

function reportFormat(flag: string | undefined, out: string | null): 'md' | 'html' {
  if (flag !== undefined) {
    if (flag !== 'md' && flag !== 'html') throw new BenchError('E_USAGE', `--format: must be md or html, got "${flag}"`);
    return flag;
  }
  if (!out) return 'md';
  const ext = extname(out).toLowerCase();
  if (ext === '.html' || ext === '.htm') return 'html';
  if (ext === '.md' || ext === '.markdown') return 'md';
  throw new BenchError('E_USAGE', `--out ${out}: the format follows the extension (.html or .md); give --format md|html for another name`);
}
