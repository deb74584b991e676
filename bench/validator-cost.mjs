// What validating a chat request costs, per request, in the built app (dist/, `npm run build`
// first): the validator the pipe runs (derived from the DTO's schema) against class-validator
// over the same DTO, for a short conversation and a long one. Prints the median of several
// rounds in microseconds.
//
//   node bench/validator-cost.mjs [--dist DIR] [--iterations 20000] [--rounds 7]
//
// --dist points at another build of the app (e.g. an older commit's dist/) to compare; a
// build whose chat request validator module exports `validateChatRequest` is measured through
// that function. Numbers only: nothing here asserts a timing.
import 'reflect-metadata';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { root } from './processes.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const dist = resolve(opt('dist', join(root, 'dist')));
const iterations = Number(opt('iterations', 20000));
const rounds = Number(opt('rounds', 7));
const load = (path) => import(pathToFileURL(join(dist, path)).href);

const { ChatCompletionRequestDto } = await load('chat/dto/chat-completion-request.dto.js');
const validatorModule = await load('chat/dto/chat-request.validator.js');
const { plainToInstance } = await import('class-transformer');
const { validateSync } = await import('class-validator');

let pipeValidator;
let label;
if (typeof validatorModule.validateChatRequest === 'function') {
  pipeValidator = validatorModule.validateChatRequest;
  label = 'hand-written validator';
} else {
  const { validatorOf } = await load('common/validation/validated-by.decorator.js');
  pipeValidator = await validatorOf(ChatCompletionRequestDto);
  label = 'derived validator (Ajv + rules)';
}
const classValidator = (body) =>
  validateSync(plainToInstance(ChatCompletionRequestDto, body), {
    forbidUnknownValues: false,
    stopAtFirstError: true,
  });

/** A conversation of `n` messages: system prompt, then user/assistant turns with parts and a tool round. */
function body(n) {
  const messages = [{ role: 'system', content: 'You are a helpful assistant.' }];
  for (let i = 1; messages.length < n; i++) {
    if (i % 10 === 3) {
      messages.push({
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: `call_${i}`,
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
          },
        ],
      });
      if (messages.length < n)
        messages.push({ role: 'tool', tool_call_id: `call_${i}`, content: '{"temp":3}' });
    } else if (i % 2 === 1) {
      messages.push({
        role: 'user',
        content:
          i % 4 === 1
            ? `Question ${i}: what is the weather like?`
            : [
                { type: 'text', text: `Look at this, ${i}` },
                {
                  type: 'image_url',
                  image_url: { url: 'https://example.com/a.png', detail: 'low' },
                },
              ],
      });
    } else {
      messages.push({ role: 'assistant', content: `Answer ${i}: it is sunny.` });
    }
  }
  return {
    model: 'openai/gpt-4o-mini',
    messages: messages.slice(0, n),
    temperature: 0.7,
    max_tokens: 256,
    stream: true,
    stream_options: { include_usage: true },
    tools: [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather for a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ],
    tool_choice: 'auto',
  };
}

function microsPerCall(fn, input, n) {
  for (let i = 0; i < Math.min(n, 2000); i++) fn(input);
  const times = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) fn(input);
    times.push(((performance.now() - start) * 1000) / n);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

for (const n of [3, 100]) {
  const input = body(n);
  const err = pipeValidator(input);
  if (err) throw new Error(`the benchmark body is invalid: ${err.message}`);
  if (classValidator(input).length > 0) throw new Error('class-validator rejects the body');
  const fast = microsPerCall(pipeValidator, input, iterations);
  const slow = microsPerCall(classValidator, input, Math.max(200, Math.floor(iterations / 50)));
  process.stdout.write(
    `${String(n).padStart(3)} messages: ${label} ${fast.toFixed(2)} µs, ` +
      `class-validator ${slow.toFixed(1)} µs\n`,
  );
}
