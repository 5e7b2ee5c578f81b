// The request and response bodies of each model family, as batch inference records carry them:
// `modelInput` is what InvokeModel (or Converse, for modelInvocationType Converse) takes, and
// `modelOutput` what it returns, usage included where the family reports it (Anthropic
// `usage.input_tokens`, Nova and Converse `usage.inputTokens`, Llama `prompt_token_count`, Titan
// `inputTextTokenCount`; Mistral reports none). Token counts follow `tokensOf` in record-text.ts.
import type { Random } from '../random.ts';
import type { ModelInvocationType } from '../simulated-job.ts';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export interface ModelFormat {
  /** Whether the model answers with vectors (no output tokens). */
  readonly embeddings: boolean;
  /** A modelInput asking `prompt`. */
  input(prompt: string): unknown;
  /** The modelOutput that answers `answer` (ignored for embeddings). */
  output(answer: string, usage: Usage, rng: Random): unknown;
}

const MAX_TOKENS = 512;
const EMBEDDING_DIMENSIONS = 256;
/** Members of a modelInput that are not prompt text, left out when counting its tokens. */
const NOT_PROMPT = new Set(['anthropic_version', 'role', 'type', 'schemaVersion', 'modelId']);

/** The format of `modelId`'s records; any model with modelInvocationType Converse uses Converse's. */
export function formatFor(modelId: string, invocationType: ModelInvocationType | undefined): ModelFormat {
  if (invocationType === 'Converse') return CONVERSE;
  // Inference profiles prefix the provider with a region group: us.anthropic.…, eu.amazon.…
  const model = modelId.replace(/^(?:arn:[^/]+\/)?(?:us|eu|apac|global)\./, '').replace(/^arn:[^/]+\//, '');
  if (model.startsWith('anthropic.')) return anthropic(model);
  if (model.startsWith('amazon.nova')) return NOVA;
  if (model.startsWith('amazon.titan-embed')) return TITAN_EMBED;
  if (model.startsWith('amazon.titan-text')) return TITAN_TEXT;
  if (model.startsWith('meta.llama')) return LLAMA;
  if (model.startsWith('mistral.')) return MISTRAL;
  return CONVERSE;
}

/** The prompt text of any modelInput, for counting its tokens: every string but the format's own markers. */
export function promptTextOf(modelInput: unknown): string {
  const parts: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') parts.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      for (const [key, member] of Object.entries(value)) if (!NOT_PROMPT.has(key)) walk(member);
    }
  };
  walk(modelInput);
  return parts.join('\n');
}

const messageId = (rng: Random): string => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; i < 24; i++) id += alphabet[rng.int(0, alphabet.length - 1)];
  return id;
};

function anthropic(model: string): ModelFormat {
  // anthropic.claude-3-haiku-20240307-v1:0 answers as "claude-3-haiku-20240307".
  const name = model.replace(/^anthropic\./, '').replace(/-v\d+(:\d+)?$/, '');
  return {
    embeddings: false,
    input: (prompt) => ({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: MAX_TOKENS,
      messages: [{ role: 'user', content: [{ type: 'text', text: prompt }] }],
    }),
    output: (answer, usage, rng) => ({
      id: `msg_bdrk_01${messageId(rng)}`,
      type: 'message',
      role: 'assistant',
      model: name,
      content: [{ type: 'text', text: answer }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens },
    }),
  };
}

const NOVA: ModelFormat = {
  embeddings: false,
  input: (prompt) => ({
    schemaVersion: 'messages-v1',
    messages: [{ role: 'user', content: [{ text: prompt }] }],
    inferenceConfig: { maxTokens: MAX_TOKENS },
  }),
  output: (answer, usage) => ({
    output: { message: { role: 'assistant', content: [{ text: answer }] } },
    stopReason: 'end_turn',
    usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, totalTokens: usage.inputTokens + usage.outputTokens },
  }),
};

const CONVERSE: ModelFormat = {
  embeddings: false,
  input: (prompt) => ({ messages: [{ role: 'user', content: [{ text: prompt }] }], inferenceConfig: { maxTokens: MAX_TOKENS } }),
  output: (answer, usage, rng) => ({
    output: { message: { role: 'assistant', content: [{ text: answer }] } },
    stopReason: 'end_turn',
    usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, totalTokens: usage.inputTokens + usage.outputTokens },
    metrics: { latencyMs: rng.int(300, 4000) },
  }),
};

const LLAMA: ModelFormat = {
  embeddings: false,
  input: (prompt) => ({
    prompt: `<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n${prompt}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`,
    max_gen_len: MAX_TOKENS,
    temperature: 0.2,
  }),
  output: (answer, usage) => ({
    generation: answer,
    prompt_token_count: usage.inputTokens,
    generation_token_count: usage.outputTokens,
    stop_reason: 'stop',
  }),
};

const MISTRAL: ModelFormat = {
  embeddings: false,
  input: (prompt) => ({ prompt: `<s>[INST] ${prompt} [/INST]`, max_tokens: MAX_TOKENS, temperature: 0.2 }),
  output: (answer) => ({ outputs: [{ text: answer, stop_reason: 'stop' }] }),
};

const TITAN_TEXT: ModelFormat = {
  embeddings: false,
  input: (prompt) => ({ inputText: prompt, textGenerationConfig: { maxTokenCount: MAX_TOKENS, temperature: 0.2 } }),
  output: (answer, usage) => ({
    inputTextTokenCount: usage.inputTokens,
    results: [{ tokenCount: usage.outputTokens, outputText: answer, completionReason: 'FINISH' }],
  }),
};

const TITAN_EMBED: ModelFormat = {
  embeddings: true,
  input: (prompt) => ({ inputText: prompt, dimensions: EMBEDDING_DIMENSIONS, normalize: true }),
  output: (_answer, usage, rng) => ({
    embedding: Array.from({ length: EMBEDDING_DIMENSIONS }, () => Math.round((rng.next() * 2 - 1) * 1e4) / 1e5),
    inputTextTokenCount: usage.inputTokens,
  }),
};
