import { expect } from 'chai';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTransformer } from '../models/fixtures/transformer.js';
import { writeFixture } from '../models/fixtures/write.js';
import { randomTransformer } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';
import { expectUserError } from './helpers/cli.js';

describe('CLI: bad input gets one line naming the file, exit 2, nothing written', () => {
  it('a missing model path', async () => {
    const dir = tempDir();
    await expectUserError(
      ['all', '--model', join(dir, 'nope.onnx'), '--out', join(dir, 'r.json'), '--no-cache'],
      /nope\.onnx: model file not found/,
      dir,
    );
  });

  it('a file that is not ONNX', async () => {
    const dir = tempDir();
    const p = join(dir, 'fake.onnx');
    writeFileSync(p, 'PK\u0003\u0004 definitely not an onnx protobuf');
    await expectUserError(['all', '--model', p, '--out', join(dir, 'r.json'), '--no-cache'], /fake\.onnx: not an ONNX model/, dir);
  });

  it('an ONNX without a logits output', async () => {
    const dir = tempDir();
    const p = writeFixture(
      dir,
      'nologits',
      buildTransformer({ layout: 'mlm', layers: 1, dim: 16, heads: 2, maxLength: 64, seed: 1, names: { logits: 'scores' } }),
      {
        id: 'nologits',
        objective: 'mlm',
        vocab: 'esm',
        maxLength: 64,
      },
    );
    await expectUserError(
      ['all', '--model', p, '--out', join(dir, 'r.json'), '--no-cache'],
      /nologits\.onnx: the graph has no "logits" output \(outputs: scores/,
      dir,
    );
  });

  it('logits whose width does not match the vocabulary', async () => {
    const dir = tempDir();
    const p = writeFixture(
      dir,
      'wide',
      buildTransformer({ layout: 'clm', vocab: 'esm', layers: 1, dim: 16, heads: 2, maxLength: 64, seed: 1 }),
      {
        id: 'wide',
        objective: 'clm',
        vocab: 'progen2',
        maxLength: 64,
      },
    );
    await expectUserError(
      ['all', '--model', p, '--out', join(dir, 'r.json'), '--no-cache'],
      /wide\.onnx: logits are 33 wide but the progen2 vocabulary has 32 tokens/,
      dir,
    );
  });

  it('an invalid card, with the schema errors listed', async () => {
    const dir = tempDir();
    const p = writeFixture(dir, 'badcard', buildTransformer({ layout: 'mlm', layers: 1, dim: 16, heads: 2, maxLength: 64, seed: 1 }), {
      id: 'badcard',
      objective: 'masked',
      vocab: 'esm',
      maxLength: 'long',
      colour: 'red',
    });
    const line = await expectUserError(
      ['all', '--model', p, '--out', join(dir, 'r.json'), '--no-cache'],
      /badcard\.card\.json: invalid model card: /,
      dir,
    );
    expect(line).to.include('/objective must be equal to one of the allowed values (mlm, clm)');
    expect(line).to.include('/maxLength must be integer');
    expect(line).to.include('must NOT have additional properties "colour"');
  });

  it('a card that is not JSON', async () => {
    const dir = tempDir();
    const p = writeFixture(dir, 'notjson', buildTransformer({ layout: 'mlm', layers: 1, dim: 16, heads: 2, maxLength: 64, seed: 1 }));
    writeFileSync(join(dir, 'notjson.card.json'), '{ id: nope');
    await expectUserError(['inspect', '--model', p], /notjson\.card\.json: not valid JSON/);
  });

  it('an unknown task name', async () => {
    const dir = tempDir();
    await expectUserError(
      ['run', 'no-such-task', '--model', randomTransformer('mlm', {}, dir), '--out', join(dir, 'r.json')],
      /unknown task "no-such-task" \(known: .*perplexity/,
      dir,
    );
  });

  it('an unknown --ep, and an explicit provider that is unavailable', async () => {
    const dir = tempDir();
    const model = randomTransformer('mlm', {}, dir);
    await expectUserError(
      ['all', '--model', model, '--ep', 'tpu', '--no-cache'],
      /--ep: must be one of auto, cuda, webgpu, cpu, got "tpu"/,
      dir,
    );
    await expectUserError(
      ['run', 'perplexity', '--model', model, '--ep', 'cuda', '--no-cache', '--out', join(dir, 'r.json')],
      /--ep cuda: execution provider unavailable/,
      dir,
    );
  });

  it('a FASTA with letters outside the vocabulary, naming record and position', async () => {
    const dir = tempDir();
    const fasta = join(dir, 'odd.fa');
    writeFileSync(fasta, '>ok\nMKV\n>weird protein\nMKVLJAA\n');
    await expectUserError(
      [
        'run',
        'perplexity',
        '--model',
        randomTransformer('clm', {}, dir),
        '--data',
        `perplexity=${fasta}`,
        '--out',
        join(dir, 'r.json'),
        '--no-cache',
      ],
      /odd\.fa:3: record weird: letter "J" at residue 5 is not in the progen2 vocabulary/,
      dir,
    );
  });

  it('an empty FASTA', async () => {
    const dir = tempDir();
    const fasta = join(dir, 'empty.fa');
    writeFileSync(fasta, '\n');
    await expectUserError(
      [
        'run',
        'perplexity',
        '--model',
        randomTransformer('clm', {}, dir),
        '--data',
        `perplexity=${fasta}`,
        '--out',
        join(dir, 'r.json'),
        '--no-cache',
      ],
      /empty\.fa: no FASTA records/,
      dir,
    );
  });

  it('a non-writable --out, refused before any work', async () => {
    const dir = tempDir();
    const blocker = join(dir, 'afile');
    writeFileSync(blocker, 'x');
    await expectUserError(
      ['all', '--model', randomTransformer('mlm', {}, dir), '--out', join(blocker, 'run.json'), '--no-cache'],
      /--out .*afile\/run\.json: .*afile is not a directory/,
    );
    expect(existsSync(join(blocker, 'run.json'))).to.equal(false);
  });

  it('unknown flags and commands', async () => {
    await expectUserError(['all', '--modle', 'x.onnx'], /Unknown option '--modle'/);
    await expectUserError(['frobnicate'], /unknown command "frobnicate"/);
    await expectUserError(['all', '--model', 'x.onnx', '--tier', 'fast'], /--tier: must be smoke or full, got "fast"/);
  });

  it('a card path that is a folder', async () => {
    const dir = tempDir();
    await expectUserError(['inspect', '--model', randomTransformer('mlm', {}, dir), '--card', dir], /: not a file/);
  });

  it('a causal model whose vocabulary has no start token (its first residue would never be scored)', async () => {
    const dir = tempDir();
    const tokens = ['<p>', '</s>', ...'ACDEFGHIKLMNPQRSTVWY'.split('')];
    const p = writeFixture(
      dir,
      'nostart',
      buildTransformer({ layout: 'clm', vocab: 'progen2', layers: 1, dim: 16, heads: 2, maxLength: 64, seed: 1 }),
      {
        id: 'nostart',
        objective: 'clm',
        vocab: { tokens: [...tokens, ...Array.from({ length: 10 }, (_, i) => `<u${i}>`)], pad: '<p>', end: '</s>' },
        maxLength: 64,
      },
    );
    await expectUserError(['inspect', '--model', p], /nostart\.card\.json: a causal LM needs a start token/);
  });
});
