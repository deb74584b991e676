import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ALL_REQUEST_CASES } from '../../../test/fixtures/anthropic/request-corpus.js';
import { toAnthropicRequest } from './anthropic-request.js';

const SCHEMA_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../test/fixtures/anthropic/create-message-request.schema.json',
);

/**
 * The official create-message request schema (extracted from Anthropic's OpenAPI spec)
 * over every request the translator specs produce: whatever the gateway sends, Anthropic's
 * own contract accepts.
 */
describe('translated requests against the official create-message schema', () => {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    formats: { byte: /^[A-Za-z0-9+/]*={0,2}$/ },
  });
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object);

  it.each(ALL_REQUEST_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const request = toAnthropicRequest(c.body, {
      model: c.model ?? c.body.model,
      stream: c.stream ?? false,
      defaultMaxTokens: c.defaultMaxTokens,
    });
    const valid = validate(request);
    expect(valid ? [] : validate.errors).toEqual([]);
  });

  it('is a real check: it refuses what Anthropic refuses', () => {
    expect(validate({ model: 'claude-sonnet-4-5', messages: [] })).toBe(false);
    expect(
      validate({
        model: 'claude-sonnet-4-5',
        max_tokens: 10,
        messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }],
      }),
    ).toBe(false);
    expect(
      validate({
        model: 'claude-sonnet-4-5',
        max_tokens: 10,
        temperature: 1.5,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    ).toBe(false);
    expect(
      validate({
        model: 'claude-sonnet-4-5',
        max_tokens: 10,
        messages: [{ role: 'system', content: 'hi' }],
      }),
    ).toBe(false);
  });
});
