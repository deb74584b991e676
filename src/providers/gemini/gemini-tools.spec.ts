import type { FunctionTool } from '../../openai/chat-completion.types.js';
import { convertToolChoice, convertTools } from './gemini-tools.js';

const weather: FunctionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    strict: true,
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: ['string', 'null'], enum: ['c', 'f', null] },
        where: { $ref: '#/$defs/place' },
      },
      required: ['city', 'unit', 'where'],
      additionalProperties: false,
      $defs: { place: { type: 'object', properties: { lat: { type: 'number' } } } },
    },
  },
};
const now: FunctionTool = { type: 'function', function: { name: 'get_time' } };

describe('convertTools', () => {
  it('declares every function in one tool, with the JSON Schema passed through untouched', () => {
    const tools = convertTools([weather, now]);
    expect(tools).toMatchSnapshot();
    expect(tools?.[0].functionDeclarations[0].parametersJsonSchema).toBe(
      weather.function.parameters,
    );
    expect(tools?.[0].functionDeclarations[1]).toEqual({ name: 'get_time' });
  });

  it('sends no tools when there are none', () => {
    expect(convertTools(undefined)).toBeUndefined();
    expect(convertTools([])).toBeUndefined();
  });
});

describe('convertToolChoice', () => {
  it.each([
    ['auto', { functionCallingConfig: { mode: 'AUTO' } }],
    ['none', { functionCallingConfig: { mode: 'NONE' } }],
    ['required', { functionCallingConfig: { mode: 'ANY' } }],
    [
      { type: 'function', function: { name: 'get_weather' } },
      { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
    ],
  ] as const)('%j → %j', (choice, expected) => {
    expect(convertToolChoice(choice, [weather, now])).toEqual(expected);
  });

  it('leaves the config out when there is no choice, or auto/none without tools', () => {
    expect(convertToolChoice(undefined, [weather])).toBeUndefined();
    expect(convertToolChoice('auto', undefined)).toBeUndefined();
    expect(convertToolChoice('none', [])).toBeUndefined();
  });

  it('rejects a choice that needs tools when there are none, naming tool_choice', () => {
    expect(() => convertToolChoice('required', undefined)).toThrow(
      expect.objectContaining({ param: 'tool_choice' }),
    );
  });

  it('rejects a named function that is not declared', () => {
    expect(() =>
      convertToolChoice({ type: 'function', function: { name: 'launch' } }, [weather]),
    ).toThrow(
      expect.objectContaining({
        param: 'tool_choice',
        message: expect.stringContaining("'launch'"),
      }),
    );
  });
});
