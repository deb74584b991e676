/**
 * The groups of the API reference, in the order Swagger UI shows them. A controller takes
 * its group with `@ApiTags(API_TAGS.x)`; the document lists them with these descriptions.
 */
export const API_TAGS = {
  chat: 'chat',
  models: 'models',
  adminKeys: 'admin: keys',
  adminTeams: 'admin: teams',
  adminUsage: 'admin: usage',
  ops: 'ops',
} as const;

export type ApiTag = (typeof API_TAGS)[keyof typeof API_TAGS];

export const API_TAG_DESCRIPTIONS: Record<ApiTag, string> = {
  chat: 'OpenAI Chat Completions, routed to the provider the model names (JSON or a stream).',
  models: 'The models the gateway can route to, as `provider/model` ids.',
  'admin: keys': 'Managed API keys (master key only): create, read, change, revoke.',
  'admin: teams': 'Teams (master key only): limits, budget and allowlist shared by their keys.',
  'admin: usage': 'The usage log and its totals (master key only).',
  ops: 'Liveness, readiness and Prometheus metrics.',
};
