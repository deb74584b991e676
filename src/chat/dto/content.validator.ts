import {
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';

const PART_TYPES_BY_ROLE: Record<string, readonly string[]> = {
  user: ['text', 'image_url', 'input_audio', 'file'],
  system: ['text'],
  developer: ['text'],
  tool: ['text'],
  function: ['text'],
  assistant: ['text', 'refusal'],
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a message's `content`: a string, or an array of content parts allowed for the
 * role, each with the fields its type needs. Returns what is wrong, or null.
 */
export function checkMessageContent(
  role: unknown,
  content: unknown,
  hasToolCalls: boolean,
): string | null {
  if (content === undefined || content === null) {
    if (role === 'assistant') return null;
    return 'is required for this role';
  }
  if (typeof content === 'string') return null;
  if (!Array.isArray(content)) return 'must be a string or an array of content parts';
  const allowed = PART_TYPES_BY_ROLE[typeof role === 'string' ? role : ''] ?? ['text'];
  if (content.length === 0 && role !== 'assistant' && !hasToolCalls) {
    return 'must not be an empty array';
  }
  for (let i = 0; i < content.length; i++) {
    const problem = checkPart(content[i], allowed);
    if (problem) return `[${i}]${problem}`;
  }
  return null;
}

function checkPart(part: unknown, allowed: readonly string[]): string | null {
  if (!isObject(part)) return ' must be an object with a type';
  const type = part.type;
  if (typeof type !== 'string' || !allowed.includes(type)) {
    return `.type must be one of ${allowed.join(', ')}`;
  }
  switch (type) {
    case 'text':
      return typeof part.text === 'string' ? null : '.text must be a string';
    case 'refusal':
      return typeof part.refusal === 'string' ? null : '.refusal must be a string';
    case 'image_url': {
      const img = part.image_url;
      if (!isObject(img) || typeof img.url !== 'string' || img.url === '') {
        return '.image_url.url must be a non-empty string';
      }
      if (img.detail !== undefined && !['auto', 'low', 'high'].includes(img.detail as string)) {
        return '.image_url.detail must be one of auto, low, high';
      }
      return null;
    }
    case 'input_audio': {
      const audio = part.input_audio;
      if (!isObject(audio) || typeof audio.data !== 'string' || typeof audio.format !== 'string') {
        return '.input_audio must have string data and format';
      }
      return null;
    }
    case 'file': {
      const file = part.file;
      if (
        !isObject(file) ||
        (typeof file.file_data !== 'string' && typeof file.file_id !== 'string')
      ) {
        return '.file must have file_data or file_id';
      }
      return null;
    }
    default:
      return null;
  }
}

/** `content` of a chat message: string or content parts, per role. */
export function IsMessageContent(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isMessageContent',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate(value: unknown, args: ValidationArguments): boolean {
          const msg = args.object as { role?: unknown; tool_calls?: unknown };
          return checkMessageContent(msg.role, value, Array.isArray(msg.tool_calls)) === null;
        },
        defaultMessage(args: ValidationArguments): string {
          const msg = args.object as { role?: unknown; tool_calls?: unknown };
          const problem = checkMessageContent(msg.role, args.value, Array.isArray(msg.tool_calls));
          return `content${problem?.startsWith('[') || problem?.startsWith('.') ? '' : ' '}${problem ?? ''}`;
        },
      },
    });
  };
}

/** `tool_choice`: none | auto | required | {type:"function", function:{name}}. */
export function IsToolChoice(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isToolChoice',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message:
          'tool_choice must be "none", "auto", "required" or {"type":"function","function":{"name":…}}',
        ...options,
      },
      validator: {
        validate(value: unknown): boolean {
          if (value === 'none' || value === 'auto' || value === 'required') return true;
          return (
            isObject(value) &&
            value.type === 'function' &&
            isObject(value.function) &&
            typeof value.function.name === 'string' &&
            value.function.name !== ''
          );
        },
      },
    });
  };
}

/** `stop`: a string or up to 4 strings. */
export function IsStop(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isStop',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'stop must be a string or an array of at most 4 strings', ...options },
      validator: {
        validate(value: unknown): boolean {
          if (typeof value === 'string') return true;
          return (
            Array.isArray(value) && value.length <= 4 && value.every((s) => typeof s === 'string')
          );
        },
      },
    });
  };
}
