import { GatewayError } from '../../common/errors/gateway-error.js';
import {
  textBlocksOf,
  toAnthropicBlocks,
  toAnthropicDocument,
  toAnthropicImage,
} from './convert-content-parts.js';

describe('toAnthropicImage', () => {
  it.each([
    ['image/jpeg', 'image/jpeg'],
    ['image/jpg', 'image/jpeg'],
    ['image/png', 'image/png'],
    ['image/gif', 'image/gif'],
    ['image/webp', 'image/webp'],
  ])('turns a base64 %s data URL into a base64 source', (type, mediaType) => {
    expect(toAnthropicImage(`data:${type};base64,AAAA`, 'p')).toEqual({
      type: 'image',
      source: { type: 'base64', media_type: mediaType, data: 'AAAA' },
    });
  });

  it('turns http(s) URLs into url sources', () => {
    expect(toAnthropicImage('https://example.com/a.png', 'p').source).toEqual({
      type: 'url',
      url: 'https://example.com/a.png',
    });
    expect(toAnthropicImage('HTTP://example.com/a', 'p').source.type).toBe('url');
  });

  it.each(['data:image/tiff;base64,AAAA', 'data:image/png,AAAA', 'file:///etc/passwd', 'gate.png'])(
    'refuses %s with a 400 naming the part',
    (url) => {
      let err: unknown;
      try {
        toAnthropicImage(url, 'messages[0].content[1].image_url.url');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).param).toBe('messages[0].content[1].image_url.url');
    },
  );
});

describe('toAnthropicDocument', () => {
  it('decodes plain text and titles documents by file name', () => {
    const data = Buffer.from('Gate 1: 4 coins').toString('base64');
    expect(
      toAnthropicDocument(
        { filename: 'tolls.txt', file_data: `data:text/plain;base64,${data}` },
        'p',
      ),
    ).toEqual({
      type: 'document',
      source: { type: 'text', media_type: 'text/plain', data: 'Gate 1: 4 coins' },
      title: 'tolls.txt',
    });
  });

  it('refuses file_data that is not a base64 data URL', () => {
    expect(() => toAnthropicDocument({ file_data: 'JVBERi0x' }, 'p')).toThrow(/base64 data: URL/);
  });
});

describe('toAnthropicBlocks', () => {
  it('leaves out empty text parts, which Anthropic rejects', () => {
    expect(
      toAnthropicBlocks(
        [
          { type: 'text', text: '' },
          { type: 'text', text: 'kept' },
        ],
        'p',
      ),
    ).toEqual([{ type: 'text', text: 'kept' }]);
  });
});

describe('textBlocksOf', () => {
  it('reads strings and text parts, skipping empty ones', () => {
    expect(textBlocksOf('a')).toEqual([{ type: 'text', text: 'a' }]);
    expect(textBlocksOf('')).toEqual([]);
    expect(textBlocksOf(null)).toEqual([]);
    expect(
      textBlocksOf([
        { type: 'text', text: 'b' },
        { type: 'text', text: '' },
      ]),
    ).toEqual([{ type: 'text', text: 'b' }]);
  });
});
