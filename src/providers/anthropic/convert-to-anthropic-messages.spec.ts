import type { ChatMessage } from '../../openai/chat-completion.types.js';
import { toWireError } from '../../common/errors/error-envelope.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { MESSAGE_CASES } from '../../../test/fixtures/anthropic/request-corpus.js';
import { toAnthropicPrompt, toAnthropicToolId } from './convert-to-anthropic-messages.js';

function rejection(fn: () => unknown): ReturnType<typeof toWireError> {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return toWireError(err);
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('toAnthropicPrompt', () => {
  it.each(MESSAGE_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(toAnthropicPrompt(c.body.messages)).toMatchSnapshot();
  });

  it('keeps system prompts in order and leaves no system message in messages', () => {
    const { system, messages } = toAnthropicPrompt(MESSAGE_CASES[1].body.messages);
    expect(system?.map((b) => b.text)).toEqual(['Be brief.', 'Use metric units.']);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('puts tool results first in the user turn, even when the user spoke before them', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Go.' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      { role: 'user', content: 'Also, hurry.' },
      { role: 'tool', tool_call_id: 'call_1', content: 'done' },
    ];
    const out = toAnthropicPrompt(messages).messages;
    expect(out).toHaveLength(3);
    expect(out[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'call_1', content: 'done' },
        { type: 'text', text: 'Also, hurry.' },
      ],
    });
  });

  it('alternates roles in every translated conversation', () => {
    for (const c of MESSAGE_CASES) {
      const roles = toAnthropicPrompt(c.body.messages).messages.map((m) => m.role);
      roles.slice(1).forEach((role, i) => expect(role).not.toBe(roles[i]));
    }
  });

  it('rejects tool-call arguments that are not JSON, naming the parameter', () => {
    const wire = rejection(() =>
      toAnthropicPrompt([
        { role: 'user', content: 'x' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } },
            { id: 'b', type: 'function', function: { name: 'f', arguments: '{"city": Par' } },
          ],
        },
      ]),
    );
    expect(wire.status).toBe(400);
    expect(wire.body.error).toMatchObject({
      type: 'invalid_request_error',
      param: 'messages[1].tool_calls[1].function.arguments',
      code: 'invalid_value',
    });
  });

  it.each([
    [
      'an image of an unsupported type',
      'data:image/bmp;base64,Qk0=',
      'messages[0].content[0].image_url.url',
    ],
    [
      'an image data URL that is not base64',
      'data:image/png,rawbytes',
      'messages[0].content[0].image_url.url',
    ],
    [
      'an image URL with another scheme',
      'ftp://example.com/a.png',
      'messages[0].content[0].image_url.url',
    ],
  ])('rejects %s', (_what, url, param) => {
    const wire = rejection(() =>
      toAnthropicPrompt([{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }]),
    );
    expect(wire).toMatchObject({ status: 400, body: { error: { param } } });
  });

  it('rejects audio input and file ids, naming the part', () => {
    const audio = rejection(() =>
      toAnthropicPrompt([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Transcribe:' },
            { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
          ],
        },
      ]),
    );
    expect(audio).toMatchObject({
      status: 400,
      body: { error: { param: 'messages[0].content[1]', code: 'unsupported_parameter' } },
    });
    const fileId = rejection(() =>
      toAnthropicPrompt([
        { role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] },
      ]),
    );
    expect(fileId.body.error.param).toBe('messages[0].content[0].file.file_id');
    const docx = rejection(() =>
      toAnthropicPrompt([
        {
          role: 'user',
          content: [{ type: 'file', file: { file_data: 'data:application/msword;base64,AAAA' } }],
        },
      ]),
    );
    expect(docx.body.error.param).toBe('messages[0].content[0].file.file_data');
  });

  it("rejects the legacy 'function' role", () => {
    const wire = rejection(() =>
      toAnthropicPrompt([{ role: 'function', name: 'f', content: '{}' }]),
    );
    expect(wire.body.error.param).toBe('messages[0].role');
  });

  it('rejects a conversation with nothing but system prompts', () => {
    const wire = rejection(() => toAnthropicPrompt([{ role: 'system', content: 'Be nice.' }]));
    expect(wire.body.error.param).toBe('messages');
  });
});

describe('toAnthropicToolId', () => {
  it('keeps valid ids and maps every other character to _', () => {
    expect(toAnthropicToolId('toolu_01Ab-9')).toBe('toolu_01Ab-9');
    expect(toAnthropicToolId('call:gates/1')).toBe('call_gates_1');
    expect(toAnthropicToolId('')).toBe('_');
  });
});
