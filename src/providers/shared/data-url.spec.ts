import fc from 'fast-check';
import { parseDataUrl } from './data-url.js';

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('parseDataUrl', () => {
  it('splits media type, encoding and payload', () => {
    expect(parseDataUrl(`data:image/png;base64,${PNG}`)).toEqual({
      mediaType: 'image/png',
      base64: true,
      data: PNG,
    });
    expect(parseDataUrl('data:Image/PNG;base64,AAAA')).toEqual({
      mediaType: 'image/png',
      base64: true,
      data: 'AAAA',
    });
    expect(parseDataUrl('data:text/plain;charset=utf-8,hi')).toEqual({
      mediaType: 'text/plain',
      base64: false,
      data: 'hi',
    });
  });

  it('skips parameters before ;base64', () => {
    expect(parseDataUrl('data:Application/PDF;name=a.pdf;base64,JVBERi0=')).toEqual({
      mediaType: 'application/pdf',
      base64: true,
      data: 'JVBERi0=',
    });
  });

  it('reads ;base64 only as the last parameter (RFC 2397)', () => {
    expect(parseDataUrl('data:image/png;base64;name=a,AAAA')?.base64).toBe(false);
    expect(parseDataUrl('data:image/png;BASE64,AAAA')?.base64).toBe(true);
  });

  it('keeps a missing type and an empty payload for the caller to judge', () => {
    expect(parseDataUrl('data:;base64,AAAA')).toEqual({
      mediaType: '',
      base64: true,
      data: 'AAAA',
    });
    expect(parseDataUrl('data:image/png;base64,')).toEqual({
      mediaType: 'image/png',
      base64: true,
      data: '',
    });
  });

  it('is null for anything that is not a data: URL', () => {
    expect(parseDataUrl('https://example.com/a.png')).toBeNull();
    expect(parseDataUrl('data:image/png;base64')).toBeNull();
  });

  it('returns the payload unchanged, whatever it holds', () => {
    fc.assert(
      fc.property(fc.string(), fc.boolean(), (data, base64) => {
        const url = `data:image/png${base64 ? ';base64' : ''},${data}`;
        expect(parseDataUrl(url)).toEqual({ mediaType: 'image/png', base64, data });
      }),
    );
  });
});
