import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { parse } from 'yaml';

/**
 * The Kubernetes recipe (examples/k8s) against the Kubernetes API schema, as the kubernetes-models
 * package carries it (generated from Kubernetes' OpenAPI spec; validated with ajv).
 */

const load = (f: string) => parse(readFileSync(`examples/k8s/${f}`, 'utf8')) as Record<string, any>;

describe('examples/k8s manifests', () => {
  it('the shards are a valid Indexed Job whose pods run bench all --shard $JOB_COMPLETION_INDEX/N, N = completions', () => {
    const job = load('bench-shards.yaml');
    expect(() => {
      new Job(job as never).validate();
    }).to.not.throw();
    expect(job['spec'].completionMode).to.equal('Indexed');
    const c = job['spec'].template.spec.containers[0];
    expect(c.args.join(' ')).to.match(/bench all .*--shard "\$JOB_COMPLETION_INDEX\/\$SHARDS"/);
    expect(c.env.find((e: { name: string }) => e.name === 'SHARDS').value).to.equal(String(job['spec'].completions));
  });

  it('the merge is a valid Job running bench merge over the partials', () => {
    const job = load('bench-merge.yaml');
    expect(() => {
      new Job(job as never).validate();
    }).to.not.throw();
    expect(job['spec'].template.spec.containers[0].args.join(' ')).to.match(/bench merge \/work\/out\/partial-\*-of-\*\.json --out/);
  });

  it('the validator rejects a broken manifest (so the checks above can fail)', () => {
    const job = load('bench-shards.yaml');
    job['spec'].completionMode = 'Sideways';
    expect(() => {
      new Job(job as never).validate();
    }).to.throw(/completionMode/);
    const job2 = load('bench-shards.yaml');
    job2['spec'].completions = 'four';
    expect(() => {
      new Job(job2 as never).validate();
    }).to.throw(/completions/);
  });
});
