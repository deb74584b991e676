import { anthropicHeaders } from './anthropic-headers.js';

describe('anthropicHeaders', () => {
  it('sends the key as x-api-key, the pinned version and JSON content type', () => {
    expect(anthropicHeaders({ apiKey: 'sk-ant-x', headers: {} })).toEqual({
      'x-api-key': 'sk-ant-x',
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
    });
    expect(anthropicHeaders({ apiKey: 'sk-ant-x', headers: {} }, {}, false)).not.toHaveProperty(
      'content-type',
    );
  });

  it('passes anthropic-beta from the client, joined with a configured one', () => {
    expect(
      anthropicHeaders(
        { apiKey: 'k', headers: { 'Anthropic-Beta': 'context-1m-2025-08-07' } },
        { 'anthropic-beta': ['interleaved-thinking-2025-05-14', 'context-1m-2025-08-07'] },
      )['anthropic-beta'],
    ).toBe('context-1m-2025-08-07,interleaved-thinking-2025-05-14');
    expect(
      anthropicHeaders({ apiKey: 'k', headers: {} }, { 'anthropic-beta': 'a, b' })[
        'anthropic-beta'
      ],
    ).toBe('a,b');
  });

  it('does not let a client or a config override the version or the key', () => {
    const headers = anthropicHeaders(
      { apiKey: 'k', headers: { 'anthropic-version': '2020-01-01' } },
      { 'x-api-key': 'client', 'anthropic-version': '1999' },
    );
    expect(headers['anthropic-version']).toBe('2023-06-01');
    expect(headers['x-api-key']).toBe('k');
  });
});
