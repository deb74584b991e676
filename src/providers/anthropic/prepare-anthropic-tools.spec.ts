import { toWireError } from '../../common/errors/error-envelope.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { TOOL_CASES } from '../../../test/fixtures/anthropic/request-corpus.js';
import { toAnthropicTools, toInputSchema } from './prepare-anthropic-tools.js';

function paramOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) {
      expect(toWireError(err).status).toBe(400);
      return err.param;
    }
    throw err;
  }
  throw new Error('expected a GatewayError');
}

const tool = { type: 'function' as const, function: { name: 'get_weather' } };

describe('toAnthropicTools', () => {
  it.each(TOOL_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(toAnthropicTools(c.body)).toMatchSnapshot();
  });

  it.each([
    ['auto', { type: 'auto' }],
    ['required', { type: 'any' }],
    ['none', { type: 'none' }],
  ] as const)("maps tool_choice '%s'", (choice, expected) => {
    expect(toAnthropicTools({ tools: [tool], tool_choice: choice }).tool_choice).toEqual(expected);
  });

  it('maps a named choice and puts disable_parallel_tool_use on the choice object', () => {
    expect(
      toAnthropicTools({
        tools: [tool],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        parallel_tool_calls: false,
      }).tool_choice,
    ).toEqual({ type: 'tool', name: 'get_weather', disable_parallel_tool_use: true });
  });

  it('refuses a forced choice without tools, or naming a tool that is not there', () => {
    expect(paramOf(() => toAnthropicTools({ tool_choice: 'required' }))).toBe('tool_choice');
    expect(
      paramOf(() =>
        toAnthropicTools({
          tools: [tool],
          tool_choice: { type: 'function', function: { name: 'book_gate' } },
        }),
      ),
    ).toBe('tool_choice');
  });

  it('refuses tool names Anthropic does not accept (OpenAI allows dots)', () => {
    expect(
      paramOf(() =>
        toAnthropicTools({ tools: [tool, { type: 'function', function: { name: 'gates.list' } }] }),
      ),
    ).toBe('tools[1].function.name');
  });

  it('refuses parameters that are not an object schema', () => {
    expect(
      paramOf(() =>
        toAnthropicTools({
          tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'string' } } }],
        }),
      ),
    ).toBe('tools[0].function.parameters');
  });
});

describe('toInputSchema', () => {
  it('is an empty object schema when there are no parameters, and types an untyped one', () => {
    expect(toInputSchema(undefined, 'p')).toEqual({ type: 'object', properties: {} });
    expect(toInputSchema({ properties: { a: { type: 'number' } } }, 'p')).toEqual({
      type: 'object',
      properties: { a: { type: 'number' } },
    });
  });
});
