import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { BenchError } from '../src/util/errors.js';
import { readOptions } from '../tasks/generation/options.js';
import { loadControl, readPlddt } from '../tasks/generation/data.js';
import { builtinTasksDir } from '../src/util/paths.js';
import { buildSiteIndependent } from '../models/fixtures/known-answer.js';
import { writeFixture } from '../models/fixtures/write.js';
import { siteIndependentModel } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';
import { expectUserError as expectShared } from './helpers/cli.js';

/** `bench run generation` in-process, held to the user-error contract (helpers/cli.ts). */
function expectUserError(argv: string[], pattern: RegExp, dir: string): Promise<string> {
  return expectShared(['run', 'generation', '--no-cache', '--quiet', '--out', join(dir, 'r.json'), ...argv], pattern, dir);
}

describe('generation: bad input', function () {
  this.timeout(120000);
  const dir = tempDir();
  const model = siteIndependentModel('clm', { maxLength: 160, seed: 31, dir }).path;
  const small = ['--option', 'generation.samples=4', '--option', 'generation.max_length=35'];

  it('options: one line naming the option, the rule and the value (through main, exit 2)', async () => {
    const cases: [string, RegExp][] = [
      ['top_p=0', /^bench: --option generation\.top_p: must be a number in \(0, 1\], got "0"$/],
      ['top_p=1.5', /^bench: --option generation\.top_p: must be a number in \(0, 1\], got "1\.5"$/],
      ['temperature=0', /^bench: --option generation\.temperature: must be a number > 0, got "0"$/],
      ['temperature=-0.5', /^bench: --option generation\.temperature: must be a number > 0, got "-0\.5"$/],
      ['temperature=hot', /^bench: --option generation\.temperature: must be a number > 0, got "hot"$/],
      ['top_k=2.5', /^bench: --option generation\.top_k: must be an integer >= 0 \(0 = off\), got "2\.5"$/],
      ['samples=1', /^bench: --option generation\.samples: must be an integer from 2 to 1024, got "1"$/],
      [
        'max_length=500',
        /^bench: --option generation\.max_length: must be an integer from 1 to 158 \(the model reads 158 residues\), got "500"$/,
      ],
      ['ref_mask_stride=0', /^bench: --option generation\.ref_mask_stride: must be an integer >= 1, got "0"$/],
      [
        'topp=0.9',
        /^bench: --option generation\.topp: unknown option \(generation takes: samples, temperature, top_p, top_k, min_length, max_length, ref_mask_stride\)$/,
      ],
    ];
    for (const [opt, pattern] of cases) await expectUserError(['--model', model, '--option', `generation.${opt}`], pattern, dir);
    await expectUserError(
      ['--model', model, '--option', 'generation.min_length=50', '--option', 'generation.max_length=40'],
      /^bench: --option generation\.min_length \(50\) is greater than generation\.max_length \(40\)$/,
      dir,
    );
  });

  it("readOptions: tier defaults, the reference model's length bound, and the same rules as the CLI", () => {
    expect(readOptions({}, 'smoke', 510, null)).to.deep.equal({
      samples: 16,
      temperature: 1,
      topP: 0.95,
      topK: 0,
      minLength: 30,
      maxLength: 100,
      maskStride: 8,
    });
    expect(readOptions({}, 'full', 510, null)).to.include({ samples: 64, maxLength: 150 });
    expect(readOptions({}, 'full', 510, 62)).to.include({ maxLength: 62 });
    expect(() => readOptions({ max_length: '100' }, 'smoke', 510, 62)).to.throw(
      BenchError,
      /max_length: must be an integer from 1 to 62 \(the reference model reads 62 residues\), got "100"/,
    );
    expect(() => readOptions({ min_length: '80' }, 'smoke', 510, 62)).to.throw(BenchError, /min_length: must be an integer from 1 to 62/);
    expect(() => readOptions({ min_length: '120' }, 'smoke', 510, null)).to.throw(
      BenchError,
      /min_length \(120\) is greater than generation\.max_length \(100\) \(the tier default\)/,
    );
    expect(() => readOptions({ top_p: '' }, 'smoke', 510, null)).to.throw(BenchError, /top_p: must be a number in \(0, 1\], got ""/);
  });

  it('a reference model whose vocabulary lacks a standard amino acid is refused; another vocabulary is re-tokenised', async () => {
    const tokens = ['<pad>', '<s>', '</s>', ...'ACDEFGHIKLMNPQRSTVY'];
    const V = tokens.length;
    const ref = writeFixture(
      dir,
      'no-w',
      buildSiteIndependent({ table: new Float32Array(160 * V).map((_, i) => Math.cos(i)), vocabSize: V, maxLength: 160, maskInput: true }),
      {
        id: 'no-w',
        objective: 'clm',
        vocab: { tokens, pad: '<pad>', start: '<s>', end: '</s>' },
        maxLength: 160,
        trainTokens: 1e6,
      },
    );
    await expectUserError(
      ['--model', model, '--ref-model', ref, ...small],
      /^bench: --ref-model .*no-w\.onnx: its custom vocabulary lacks W; the samples \(20 standard amino acids\) cannot be re-tokenised for it$/,
      dir,
    );
    // A reference with the esm vocabulary (masked) is accepted: letters are re-encoded with its own vocabulary.
    const esm = siteIndependentModel('mlm', { maxLength: 160, seed: 32, dir: join(dir, 'esm') }).path;
    const io = memoryIo();
    const out = join(dir, 'esm-ref.json');
    expect(
      await main(['run', 'generation', '--model', model, '--ref-model', esm, '--no-cache', '--quiet', '--out', out, ...small], io),
      io.err.join(''),
    ).to.equal(0);
    const run = JSON.parse(readFileSync(out, 'utf8')) as {
      tasks: { generation: { status: string; protocol: { reference: { vocab: string } } } };
    };
    expect(run.tasks.generation.status).to.equal('ok');
    expect(run.tasks.generation.protocol.reference.vocab).to.equal('esm');
    expect(existsSync(join(dir, 'esm-ref.generation.fasta'))).to.equal(true);
    // --card describes the main model only: the reference keeps its own card (it once inherited the
    // main model's, a causal progen2 card on this masked esm reference).
    const mainCard = join(dir, 'main.card.json');
    writeFileSync(
      mainCard,
      JSON.stringify({ ...JSON.parse(readFileSync(model.replace(/\.onnx$/, '.card.json'), 'utf8')), id: 'main-by-flag' }),
    );
    const io2 = memoryIo();
    const out2 = join(dir, 'esm-ref-card.json');
    expect(
      await main(
        ['run', 'generation', '--model', model, '--card', mainCard, '--ref-model', esm, '--no-cache', '--quiet', '--out', out2, ...small],
        io2,
      ),
      io2.err.join(''),
    ).to.equal(0);
    const run2 = JSON.parse(readFileSync(out2, 'utf8')) as {
      model: { card: { id: string } };
      refModel: { id: string };
      tasks: { generation: { protocol: { reference: { vocab: string } } } };
    };
    expect(run2.model.card.id).to.equal('main-by-flag');
    expect(run2.refModel.id).to.equal(JSON.parse(readFileSync(esm.replace(/\.onnx$/, '.card.json'), 'utf8')).id);
    expect(run2.tasks.generation.protocol.reference.vocab).to.equal('esm');
  });

  it('pLDDT files: missing column, values outside 0-100, non-numbers, duplicates and unknown ids name the file and line', async () => {
    const csv = join(dir, 'plddt.csv');
    const check = async (text: string, pattern: RegExp) => {
      writeFileSync(csv, text);
      await expectUserError(['--model', model, '--data', `generation=${csv}`, ...small], pattern, dir);
    };
    await check('id,confidence\ngen-0001-aaaaaa,80\n', /^bench: .*plddt\.csv:1: missing column "plddt" \(columns: id, confidence\)$/);
    await check('name,plddt\nx,80\n', /^bench: .*plddt\.csv:1: missing column "id"/);
    await check('id,plddt\na,80\n\nb,101\n', /^bench: .*plddt\.csv:4: b: plddt must be a number from 0 to 100 .*got "101"$/);
    await check('id,plddt\na,-1\n', /^bench: .*plddt\.csv:2: a: plddt must be a number from 0 to 100 .*got "-1"$/);
    await check('id,plddt\na,n/a\n', /^bench: .*plddt\.csv:2: a: plddt must be a number .*got "n\/a"$/);
    await check('id,plddt\na,70\na,71\n', /^bench: .*plddt\.csv:3: duplicate id a \(first on line 2\)$/);
    await check('id,plddt\n', /^bench: .*plddt\.csv: no data rows$/);
    // Ids are checked against the run's samples once they exist: an unknown id stops the run, nothing written.
    const firstControl = `natural-${loadControl(join(builtinTasksDir, 'generation')).records[0]!.id}`;
    writeFileSync(csv, `id,plddt\n${firstControl},70\ngen-9999-abcdef,50\n`);
    const line = await expectUserError(
      ['--model', model, '--data', `generation=${csv}`, ...small],
      /plddt\.csv:3: unknown id gen-9999-abcdef: not a sequence of this run/,
      dir,
    );
    expect(line).to.match(/e\.g\. gen-0001-[0-9a-f]{6}/);
    // The reader alone (used by check, before any task runs).
    writeFileSync(csv, 'ID,pLDDT\r\nx,0\r\ny,100\r\n');
    expect([...readPlddt(csv).values.entries()].map(([k, v]) => [k, v.plddt, v.line])).to.deep.equal([
      ['x', 0, 2],
      ['y', 100, 3],
    ]);
  });

  it('a masked model: the task is skipped with the reason (it needs a causal LM)', async () => {
    const mlm = siteIndependentModel('mlm', { maxLength: 64, seed: 33, dir: join(dir, 'mlm') }).path;
    const io = memoryIo();
    const out = join(dir, 'mlm.json');
    expect(await main(['run', 'generation', '--model', mlm, '--no-cache', '--quiet', '--out', out], io), io.err.join('')).to.equal(0);
    const run = JSON.parse(readFileSync(out, 'utf8')) as { tasks: { generation: { status: string; reason: string } } };
    expect(run.tasks.generation).to.deep.equal({ version: '1.0.0', status: 'skipped', reason: 'the model lacks a causal LM' });
  });
});
