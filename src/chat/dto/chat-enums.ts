export const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'] as const;
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;
export const TOOL_CHOICE_MODES = ['none', 'auto', 'required'] as const;
