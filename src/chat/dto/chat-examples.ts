import type { ExampleObject } from '@nestjs/swagger';

/**
 * The request examples of `POST /v1/chat/completions`, as Swagger UI's "Try it out" sends
 * them. Each runs as it is against a configured provider (OpenAI, or Anthropic for the
 * reasoning one): the e2e tests send every one through the gateway.
 */
export const CHAT_REQUEST_EXAMPLES = {
  plain: {
    summary: 'Plain completion',
    description: 'One user message to `openai/gpt-4o-mini`; the answer is one JSON object.',
    value: {
      model: 'openai/gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are a concise assistant.' },
        { role: 'user', content: 'Say hello in one short sentence.' },
      ],
      max_tokens: 64,
      temperature: 0.2,
    },
  },
  streaming: {
    summary: 'Streaming, with usage',
    description:
      'With `stream: true` the answer is `text/event-stream`: `data: {chunk}` events, then `data: [DONE]`. ' +
      '`stream_options.include_usage` adds a last chunk with `choices: []` and the usage of the whole stream.',
    value: {
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'Count from 1 to 5.' }],
      stream: true,
      stream_options: { include_usage: true },
    },
  },
  tools: {
    summary: 'Tool call',
    description:
      'The model may answer with `tool_calls` (`finish_reason: "tool_calls"`); send their results back as `role: "tool"` messages.',
    value: {
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is the weather in Oslo?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Current weather of a city.',
            parameters: {
              type: 'object',
              properties: { city: { type: 'string' } },
              required: ['city'],
            },
          },
        },
      ],
      tool_choice: 'auto',
    },
  },
  provider_hint: {
    summary: 'Provider hint',
    description:
      '`provider` picks the provider instance for a bare model name; it is never sent upstream.',
    value: {
      model: 'gpt-4o-mini',
      provider: 'openai',
      messages: [{ role: 'user', content: 'Say hello.' }],
    },
  },
  reasoning: {
    summary: 'Reasoning',
    description:
      '`reasoning.effort` becomes a thinking budget on Anthropic and Gemini; the thinking comes back as ' +
      '`message.reasoning_content` and is counted in `usage.completion_tokens_details.reasoning_tokens`.',
    value: {
      model: 'anthropic/claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'Is 1001 a prime number?' }],
      reasoning: { effort: 'low' },
      max_tokens: 1024,
    },
  },
} satisfies Record<string, ExampleObject>;
