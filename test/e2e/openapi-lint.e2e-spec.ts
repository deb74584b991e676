import { createConfig, lintFromString, type NormalizedProblem } from '@redocly/openapi-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * openapi.json against Redocly's `recommended` OpenAPI ruleset, plus the rules that hold
 * the document to its own promises: every tag defined and described, every operation with
 * a summary and a description, examples that fit their schemas. Zero problems, warnings
 * included.
 */
const source = readFileSync(join(import.meta.dirname, '..', '..', 'openapi.json'), 'utf8');

let problems: NormalizedProblem[];
beforeAll(async () => {
  const config = await createConfig({
    extends: ['recommended'],
    rules: {
      'operation-tag-defined': 'error',
      'tag-description': 'error',
      'operation-description': 'error',
      'no-invalid-media-type-examples': 'error',
      'no-invalid-parameter-examples': 'error',
      'no-unused-components': 'error',
      // The liveness and readiness probes answer no 4xx: there is nothing to document.
      'operation-4xx-response': 'off',
    },
  });
  problems = await lintFromString({ source, absoluteRef: 'openapi.json', config });
});

const pointer = (p: NormalizedProblem): string => p.location[0]?.pointer ?? '';
const describeProblem = (p: NormalizedProblem): string =>
  `${p.severity} ${p.ruleId} at ${pointer(p)}: ${p.message}`;
/** Problems inside an admin operation are the admin controllers' to fix (see openapi.e2e-spec). */
const isAdmin = (p: NormalizedProblem): boolean => pointer(p).startsWith('#/paths/~1admin~1');

describe('openapi.json lint (Redocly recommended)', () => {
  it('finds nothing outside the admin operations', () => {
    expect(problems.filter((p) => !isAdmin(p)).map(describeProblem)).toEqual([]);
  });

  it('finds nothing in the admin operations either', () => {
    expect(problems.filter(isAdmin).map(describeProblem)).toEqual([]);
  });

  it('would report a broken document', async () => {
    const broken = JSON.parse(source);
    delete broken.paths['/v1/chat/completions'].post.summary;
    broken.paths['/v1/models'].get.tags = ['no-such-tag'];
    const found = await lintFromString({
      source: JSON.stringify(broken),
      absoluteRef: 'openapi.json',
      config: await createConfig({
        extends: ['recommended'],
        rules: { 'operation-tag-defined': 'error' },
      }),
    });
    expect(found.map((p) => p.ruleId)).toEqual(
      expect.arrayContaining(['operation-summary', 'operation-tag-defined']),
    );
  });
});
