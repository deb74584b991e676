import type { ChatMessage } from '../../openai/chat-completion.types.js';
import { ErrorCode } from '../../common/errors/gateway-error.js';
import { convertToGeminiContents, toolResultObject } from './convert-to-gemini-contents.js';

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const conversation: ChatMessage[] = [
  { role: 'system', content: 'You are a concise travel assistant.' },
  { role: 'developer', content: [{ type: 'text', text: 'Answer in metric units.' }] },
  {
    role: 'user',
    content: [
      { type: 'text', text: 'Weather in Oslo and Lima? My itinerary is attached.' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
    ],
  },
  {
    role: 'assistant',
    content: null,
    reasoning_content: 'Two independent lookups.',
    tool_calls: [
      {
        id: 'call_oslo',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
        extra_content: { google: { thought_signature: 'U0lHLW9zbG8=' } },
      },
      {
        id: 'call_lima',
        type: 'function',
        function: { name: 'get_forecast', arguments: '{"city":"Lima"}' },
      },
    ],
  },
  { role: 'tool', tool_call_id: 'call_lima', content: 'Sunny, 24 °C' },
  { role: 'tool', tool_call_id: 'call_oslo', content: '{"temp_c": -3, "sky": "snow"}' },
  { role: 'assistant', content: 'Oslo: -3 °C and snowing. Lima: 24 °C and sunny.' },
  { role: 'user', content: 'Thanks!' },
];

describe('convertToGeminiContents', () => {
  const prompt = convertToGeminiContents(conversation);

  it('translates a whole tool-using conversation', () => {
    expect(prompt).toMatchSnapshot();
  });

  it('moves system and developer messages into systemInstruction, in order', () => {
    expect(prompt.systemInstruction).toEqual({
      parts: [{ text: 'You are a concise travel assistant.' }, { text: 'Answer in metric units.' }],
    });
    expect(prompt.contents.map((c) => c.role)).toEqual(['user', 'model', 'user', 'model', 'user']);
  });

  it('restores the thought signature on the functionCall part it came with', () => {
    expect(prompt.contents[1].parts).toEqual([
      {
        functionCall: { name: 'get_weather', args: { city: 'Oslo' } },
        thoughtSignature: 'U0lHLW9zbG8=',
      },
      { functionCall: { name: 'get_forecast', args: { city: 'Lima' } } },
    ]);
  });

  it('groups consecutive tool results in one user turn, names recovered by tool_call_id', () => {
    expect(prompt.contents[2]).toEqual({
      role: 'user',
      parts: [
        { functionResponse: { name: 'get_forecast', response: { result: 'Sunny, 24 °C' } } },
        { functionResponse: { name: 'get_weather', response: { temp_c: -3, sky: 'snow' } } },
      ],
    });
  });

  it('accepts legacy function-role results by their name', () => {
    const out = convertToGeminiContents([
      { role: 'user', content: 'time?' },
      { role: 'function', name: 'get_time', content: '12:00' },
    ]);
    expect(out.contents[1]).toEqual({
      role: 'user',
      parts: [{ functionResponse: { name: 'get_time', response: { result: '12:00' } } }],
    });
  });

  it('leaves out empty text and messages that end up empty', () => {
    const out = convertToGeminiContents([
      { role: 'system', content: '' },
      {
        role: 'user',
        content: [
          { type: 'text', text: '' },
          { type: 'text', text: 'hi' },
        ],
      },
      { role: 'assistant', content: '' },
      { role: 'user', content: 'again' },
    ]);
    expect(out).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'hi' }] },
        { role: 'user', parts: [{ text: 'again' }] },
      ],
    });
  });

  it('sends empty arguments as an empty object', () => {
    const out = convertToGeminiContents([
      { role: 'user', content: 'time?' },
      {
        role: 'assistant',
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_time', arguments: '' } }],
      },
    ]);
    expect(out.contents[1].parts).toEqual([{ functionCall: { name: 'get_time', args: {} } }]);
  });

  it('rejects a tool result whose call is unknown, naming tool_call_id', () => {
    expect(() =>
      convertToGeminiContents([
        { role: 'user', content: 'x' },
        { role: 'tool', tool_call_id: 'call_missing', content: 'ok' },
      ]),
    ).toThrow(
      expect.objectContaining({
        code: ErrorCode.InvalidRequest,
        param: 'messages[1].tool_call_id',
      }),
    );
  });

  it('rejects arguments that are not a JSON object, naming them', () => {
    for (const args of ['{"city":', '[1,2]', '"Oslo"']) {
      expect(() =>
        convertToGeminiContents([
          { role: 'user', content: 'x' },
          {
            role: 'assistant',
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: args } }],
          },
        ]),
      ).toThrow(expect.objectContaining({ param: 'messages[1].tool_calls[0].function.arguments' }));
    }
  });

  it('rejects an image in a system message', () => {
    expect(() =>
      convertToGeminiContents([
        {
          role: 'system',
          content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }],
        },
      ]),
    ).toThrow(expect.objectContaining({ param: 'messages[0].content[0]' }));
  });
});

describe('toolResultObject', () => {
  it.each([
    ['{"temp_c": 4}', { temp_c: 4 }],
    ['  {"nested": {"a": [1]}} ', { nested: { a: [1] } }],
    ['plain text', { result: 'plain text' }],
    ['[1,2,3]', { result: '[1,2,3]' }],
    ['42', { result: '42' }],
    ['{not json', { result: '{not json' }],
    ['null', { result: 'null' }],
    ['', { result: '' }],
  ])('%j → %j', (text, expected) => {
    expect(toolResultObject(text)).toEqual(expected);
  });
});
