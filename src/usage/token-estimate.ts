import type { ChatMessage } from '../openai/chat-completion.types.js';

type CountTokens = (text: string) => number;
let loading: Promise<CountTokens> | undefined;

/**
 * gpt-tokenizer's o200k_base encoding (GPT-4o and later), loaded on first use only: it
 * is only needed for requests that ended early. For other providers' models the count is
 * an estimate, since each has its own tokenizer.
 */
function tokenizer(): Promise<CountTokens> {
  loading ??= import('gpt-tokenizer').then((m) => m.countTokens as CountTokens);
  return loading;
}

export async function countTextTokens(text: string): Promise<number> {
  if (text === '') return 0;
  return (await tokenizer())(text);
}

/** OpenAI's chat framing: about 3 tokens per message plus 3 to prime the reply. */
const PER_MESSAGE = 3;
const PER_REPLY = 3;

/**
 * Prompt tokens of a chat request as far as its text goes (message text, names, tool
 * call arguments and tool definitions); images, audio and files are not counted.
 */
export async function estimatePromptTokens(body: unknown): Promise<number> {
  const b = body as { messages?: unknown; tools?: unknown } | null;
  if (!b || !Array.isArray(b.messages)) return 0;
  const parts: string[] = [];
  for (const m of b.messages as ChatMessage[]) {
    if (typeof m !== 'object' || m === null) continue;
    if (typeof m.content === 'string') parts.push(m.content);
    else if (Array.isArray(m.content)) {
      for (const p of m.content)
        if (p?.type === 'text' && typeof p.text === 'string') parts.push(p.text);
    }
    if (typeof m.name === 'string') parts.push(m.name);
    for (const call of m.tool_calls ?? []) {
      parts.push(call.function?.name ?? '', call.function?.arguments ?? '');
    }
  }
  if (Array.isArray(b.tools) && b.tools.length > 0) parts.push(JSON.stringify(b.tools));
  const count = await tokenizer();
  let total = PER_REPLY;
  for (const p of parts) total += p === '' ? 0 : count(p);
  return total + PER_MESSAGE * b.messages.length;
}
