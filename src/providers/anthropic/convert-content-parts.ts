import type { ContentPart } from '../../openai/chat-completion.types.js';
import type {
  AnthropicDocumentBlock,
  AnthropicImageBlock,
  AnthropicTextBlock,
} from './anthropic.types.js';
import { parseDataUrl } from '../shared/data-url.js';
import { invalidParam, unsupportedParam } from '../shared/request-errors.js';

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;
type ImageType = (typeof IMAGE_TYPES)[number];

/**
 * An OpenAI `image_url` → an Anthropic image block: a base64 `data:` URL of a type
 * Anthropic reads (jpeg, png, gif, webp) becomes a base64 source, an http(s) URL a url
 * source. Anything else is a 400 naming the part. `detail` has no Anthropic counterpart
 * and is dropped (Anthropic sizes images itself).
 */
export function toAnthropicImage(url: string, param: string): AnthropicImageBlock {
  const data = parseDataUrl(url);
  if (data) {
    const mediaType = data.mediaType === 'image/jpg' ? 'image/jpeg' : data.mediaType;
    if (!IMAGE_TYPES.includes(mediaType as ImageType)) {
      throw invalidParam(
        param,
        `Image type '${data.mediaType || 'unknown'}' is not supported by this model; use image/jpeg, image/png, image/gif or image/webp.`,
      );
    }
    if (!data.base64) {
      throw invalidParam(param, 'Image data URLs must be base64-encoded (data:<type>;base64,…).');
    }
    return {
      type: 'image',
      source: { type: 'base64', media_type: mediaType as ImageType, data: data.data },
    };
  }
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw invalidParam(param, 'Image URLs must be http(s) URLs or base64 data: URLs.');
}

/**
 * An OpenAI `file` part → an Anthropic document block. Only inline data can travel:
 * a PDF becomes a base64 document, plain text a text document. OpenAI file ids mean
 * nothing to Anthropic and are refused.
 */
export function toAnthropicDocument(
  file: { file_data?: string; file_id?: string; filename?: string },
  param: string,
): AnthropicDocumentBlock {
  if (file.file_data === undefined) {
    throw unsupportedParam(
      `${param}.file.file_id`,
      'File ids cannot be used with this model; send the file inline as file_data.',
    );
  }
  const data = parseDataUrl(file.file_data);
  if (!data || !data.base64) {
    throw invalidParam(
      `${param}.file.file_data`,
      'file_data must be a base64 data: URL (data:application/pdf;base64,…).',
    );
  }
  const title = file.filename ? { title: file.filename.slice(0, 500) } : {};
  if (data.mediaType === 'application/pdf') {
    return {
      type: 'document',
      source: { type: 'base64', media_type: 'application/pdf', data: data.data },
      ...title,
    };
  }
  if (data.mediaType === 'text/plain') {
    return {
      type: 'document',
      source: {
        type: 'text',
        media_type: 'text/plain',
        data: Buffer.from(data.data, 'base64').toString('utf8'),
      },
      ...title,
    };
  }
  throw invalidParam(
    `${param}.file.file_data`,
    `File type '${data.mediaType || 'unknown'}' is not supported by this model; use application/pdf or text/plain.`,
  );
}

/**
 * Content parts of a user, system or tool message → Anthropic blocks. Empty text parts
 * are left out (Anthropic rejects empty text blocks); audio has no Anthropic input and is
 * refused with a 400 naming the part.
 */
export function toAnthropicBlocks(
  parts: ContentPart[],
  param: string,
): Array<AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock> {
  const out: Array<AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock> = [];
  parts.forEach((part, i) => {
    const where = `${param}[${i}]`;
    switch (part.type) {
      case 'text':
        if (part.text !== '') out.push({ type: 'text', text: part.text });
        return;
      case 'refusal':
        if (part.refusal !== '') out.push({ type: 'text', text: part.refusal });
        return;
      case 'image_url':
        out.push(toAnthropicImage(part.image_url.url, `${where}.image_url.url`));
        return;
      case 'file':
        out.push(toAnthropicDocument(part.file, where));
        return;
      case 'input_audio':
        throw unsupportedParam(where, 'Audio input is not supported by this model.');
    }
  });
  return out;
}

/** Only the text of the parts (for system prompts, which take text blocks only). */
export function textBlocksOf(
  content: string | ContentPart[] | null | undefined,
): AnthropicTextBlock[] {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.flatMap((p): AnthropicTextBlock[] =>
    p.type === 'text' && p.text !== '' ? [{ type: 'text', text: p.text }] : [],
  );
}
