// What a finished job cost: its manifest's token counts times the operator's price for its model
// (MODEL_PRICES). Batch prices differ from on-demand ones and change, so the gateway ships none
// for AWS: without a configured price there is no estimate. The simulator's example table is
// below, labelled as such.
import type { OutputManifest } from './output-files.ts';

/** USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

/** Prices by model id (MODEL_PRICES). */
export type ModelPrices = ReadonlyMap<string, ModelPrice>;

export interface JobCost {
  currency: 'USD';
  inputCost: number;
  outputCost: number;
  total: number;
}

/**
 * An EXAMPLE price table for the simulator's models, used in simulator mode while MODEL_PRICES is
 * unset: round numbers of the order of Bedrock's batch prices (half the on-demand ones), not
 * AWS's current prices. Set MODEL_PRICES for real estimates.
 */
export const EXAMPLE_MODEL_PRICES: ModelPrices = new Map(
  Object.entries({
    'anthropic.claude-3-haiku-20240307-v1:0': { input: 0.125, output: 0.625 },
    'anthropic.claude-3-5-haiku-20241022-v1:0': { input: 0.4, output: 2 },
    'anthropic.claude-3-5-sonnet-20240620-v1:0': { input: 1.5, output: 7.5 },
    'amazon.nova-lite-v1:0': { input: 0.03, output: 0.12 },
    'amazon.nova-pro-v1:0': { input: 0.4, output: 1.6 },
    'amazon.titan-embed-text-v2:0': { input: 0.01, output: 0 },
    'meta.llama3-1-70b-instruct-v1:0': { input: 0.36, output: 0.36 },
    'mistral.mistral-large-2407-v1:0': { input: 1, output: 3 },
  }),
);

/**
 * The price of a job's model: by its modelId as given, else, for an ARN (a foundation model's, or
 * an inference profile's), by its last path segment (`…:foundation-model/amazon.nova-lite-v1:0`).
 */
export function priceOf(prices: ModelPrices, modelId: string): ModelPrice | undefined {
  return prices.get(modelId) ?? (modelId.startsWith('arn:') ? prices.get(modelId.slice(modelId.lastIndexOf('/') + 1)) : undefined);
}

/** The cost of the tokens a manifest counts, at `price`. */
export function costOf(price: ModelPrice, manifest: Pick<OutputManifest, 'inputTokenCount' | 'outputTokenCount'>): JobCost {
  const inputCost = ((manifest.inputTokenCount ?? 0) * price.input) / 1_000_000;
  const outputCost = ((manifest.outputTokenCount ?? 0) * price.output) / 1_000_000;
  return { currency: 'USD', inputCost, outputCost, total: inputCost + outputCost };
}

/**
 * MODEL_PRICES's text → prices; throws an Error whose message is the rule broken and what was
 * found (config.ts prefixes the variable's name).
 */
export function parseModelPrices(text: string): ModelPrices {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('got invalid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`got a JSON ${Array.isArray(parsed) ? 'array' : parsed === null ? 'null' : typeof parsed}`);
  }
  const prices = new Map<string, ModelPrice>();
  for (const [modelId, price] of Object.entries(parsed)) {
    const { input, output } = (typeof price === 'object' && price !== null ? price : {}) as Record<string, unknown>;
    const valid = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0;
    if (modelId.trim() === '' || !valid(input) || !valid(output)) {
      throw new Error(`got ${JSON.stringify(modelId)}: ${JSON.stringify(price)}`);
    }
    prices.set(modelId, { input: input as number, output: output as number });
  }
  return prices;
}
