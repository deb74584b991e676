import { ErrorCode } from '../../common/errors/gateway-error.js';
import { convertUserPart, inlineDataOf } from './gemini-media.js';

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('inlineDataOf', () => {
  it('takes MIME type and base64 data, ignoring parameters', () => {
    expect(inlineDataOf(`data:image/png;base64,${PNG}`)).toEqual({
      mimeType: 'image/png',
      data: PNG,
    });
    expect(inlineDataOf('data:Application/PDF;name=a.pdf;base64,JVBERi0=')).toEqual({
      mimeType: 'application/pdf',
      data: 'JVBERi0=',
    });
  });

  it('refuses data URLs that are not base64, have no type or no data', () => {
    expect(inlineDataOf('data:text/plain,hello')).toBeUndefined();
    expect(inlineDataOf('data:;base64,AAAA')).toBeUndefined();
    expect(inlineDataOf('data:image;base64,AAAA')).toBeUndefined();
    expect(inlineDataOf('data:image/png;base64,')).toBeUndefined();
    expect(inlineDataOf('https://example.com/a.png')).toBeUndefined();
  });
});

describe('convertUserPart', () => {
  const at = 'messages[2].content[1]';

  it('turns text, inline images, audio and inline files into parts', () => {
    expect(convertUserPart({ type: 'text', text: 'hi' }, at)).toEqual({ text: 'hi' });
    expect(
      convertUserPart(
        { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'high' } },
        at,
      ),
    ).toEqual({ inlineData: { mimeType: 'image/png', data: PNG } });
    expect(
      convertUserPart(
        { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
        at,
      ),
    ).toEqual({
      inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' },
    });
    expect(
      convertUserPart(
        {
          type: 'file',
          file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' },
        },
        at,
      ),
    ).toEqual({ inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } });
  });

  it.each([
    'https://example.com/cat.png',
    'http://169.254.169.254/latest/meta-data',
    'http://localhost/x.png',
  ])('never fetches %s: a 400 naming the image_url param', (url) => {
    expect(() => convertUserPart({ type: 'image_url', image_url: { url } }, at)).toThrow(
      expect.objectContaining({
        code: ErrorCode.Unsupported,
        param: 'messages[2].content[1].image_url',
      }),
    );
  });

  it('rejects a malformed data URL and an OpenAI file id, naming the field', () => {
    expect(() =>
      convertUserPart({ type: 'image_url', image_url: { url: 'data:image/png,raw' } }, at),
    ).toThrow(expect.objectContaining({ param: 'messages[2].content[1].image_url' }));
    expect(() => convertUserPart({ type: 'file', file: { file_id: 'file-abc' } }, at)).toThrow(
      expect.objectContaining({ param: 'messages[2].content[1].file.file_id' }),
    );
    expect(() => convertUserPart({ type: 'file', file: { file_data: 'JVBERi0=' } }, at)).toThrow(
      expect.objectContaining({ param: 'messages[2].content[1].file.file_data' }),
    );
  });
});
