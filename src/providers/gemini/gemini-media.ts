import type { ContentPart } from '../../openai/chat-completion.types.js';
import { parseDataUrl } from '../shared/data-url.js';
import { invalidParam, unsupportedParam } from '../shared/request-errors.js';
import type { GeminiPart } from './gemini.types.js';

const MIME_TYPE = /^[\w.+-]+\/[\w.+-]+$/;

/**
 * A `data:` URL as Gemini `inlineData`: only a base64 URL with a `type/subtype` and a
 * payload will do; anything else is undefined.
 */
export function inlineDataOf(url: string): { mimeType: string; data: string } | undefined {
  const parsed = parseDataUrl(url);
  if (!parsed?.base64 || parsed.data === '' || !MIME_TYPE.test(parsed.mediaType)) {
    return undefined;
  }
  return { mimeType: parsed.mediaType, data: parsed.data };
}

/**
 * One user content part → a Gemini part. `param` is `messages[i].content[j]`.
 *
 * - text → `text`.
 * - image_url: a base64 `data:` URL → `inlineData`. Other URLs are a 400 naming
 *   `…image_url`: the gateway does not fetch remote media on a client's behalf (it would
 *   make the gateway a fetcher of arbitrary, possibly private, addresses) and Gemini
 *   itself does not take arbitrary URLs; send the image inline. `detail` is dropped:
 *   Gemini sets media resolution per request, not per image.
 * - input_audio → `inlineData` with `audio/<format>` (wav, mp3, …).
 * - file: a base64 `data:` URL in `file_data` → `inlineData` (PDFs and other documents);
 *   `file_id` names an OpenAI file, which means nothing to Gemini: a 400.
 */
export function convertUserPart(part: ContentPart, param: string): GeminiPart {
  switch (part.type) {
    case 'text':
      return { text: part.text };
    case 'refusal':
      return { text: part.refusal };
    case 'image_url': {
      const url = part.image_url.url;
      if (!url.startsWith('data:')) {
        throw unsupportedParam(
          `${param}.image_url`,
          'Image URLs are not fetched for Gemini providers; send the image inline as a base64 data: URL.',
        );
      }
      const inline = inlineDataOf(url);
      if (!inline) {
        throw invalidParam(
          `${param}.image_url`,
          'The image data: URL must look like data:<mime type>;base64,<data>.',
        );
      }
      return { inlineData: inline };
    }
    case 'input_audio':
      return {
        inlineData: {
          mimeType: `audio/${part.input_audio.format.toLowerCase()}`,
          data: part.input_audio.data,
        },
      };
    case 'file': {
      const data = part.file.file_data;
      if (typeof data !== 'string') {
        throw unsupportedParam(
          `${param}.file.file_id`,
          'OpenAI file ids cannot be used with Gemini providers; send the file inline in file_data.',
        );
      }
      const inline = inlineDataOf(data);
      if (!inline) {
        throw invalidParam(
          `${param}.file.file_data`,
          'file_data must be a data: URL like data:application/pdf;base64,<data>.',
        );
      }
      return { inlineData: inline };
    }
  }
}
