// What the results read path makes of what Bedrock writes, without S3: output lines, manifests,
// the output folder of a job, and prices.
import { describe, expect, it } from 'vitest';
import { parseValue, type GraphQLScalarType } from 'graphql';
import { schema } from '../src/schema/index.ts';
import { costOf, priceOf } from '../src/results/cost.ts';
import { parseManifest } from '../src/results/output-files.ts';
import { parseOutputRecord } from '../src/results/output-record.ts';
import { outputFolderOf, parseS3Uri } from '../src/results/s3-uri.ts';

const line = (text: string | undefined, head?: string) => ({ text, start: 100, end: 100 + (text?.length ?? 5000) + 1, head });

describe('output lines', () => {
  it('should read a record the model answered and one Bedrock failed', () => {
    expect(parseOutputRecord(line('{"recordId":"r1","modelInput":{"a":1},"modelOutput":{"b":2}}'), 'in.jsonl.out')).toEqual({
      recordId: 'r1',
      modelInput: { a: 1 },
      modelOutput: { b: 2 },
      error: null,
      file: 'in.jsonl.out',
    });
    expect(parseOutputRecord(line('{"recordId":"r2","modelInput":{},"error":{"errorCode":400,"errorMessage":"bad"}}'), 'f').error).toEqual({
      code: 'MODEL_INVOCATION_ERROR',
      errorCode: 400,
      errorMessage: 'bad',
    });
    expect(parseOutputRecord(line('{"recordId":"r3","error":{"errorCode":"503"}}'), 'f').error).toEqual({
      code: 'MODEL_INVOCATION_ERROR',
      errorCode: 503,
      errorMessage: null,
    });
  });

  it.each([
    ['not JSON', '{"recordId":"r4","modelInput":', 'r4', /is not JSON/],
    ['not an object', '"text"', '', /is not a JSON object/],
    ['no recordId', '{"modelOutput":{}}', '', /has no string recordId/],
    ['neither output nor error', '{"recordId":"r5","modelInput":{}}', 'r5', /neither modelOutput nor error/],
    ['an error that is not an object', '{"recordId":"r6","error":"boom"}', 'r6', /error is not an object/],
  ])('should make a line that is %s a MALFORMED_RECORD', (_name, text, recordId, message) => {
    const record = parseOutputRecord(line(text), 'f.out');
    expect(record).toMatchObject({ recordId, modelOutput: undefined, file: 'f.out', error: { code: 'MALFORMED_RECORD', errorCode: null } });
    expect(record.error!.errorMessage).toMatch(/^MALFORMED_RECORD: /);
    expect(record.error!.errorMessage).toMatch(message);
  });

  it('should make a line too long to read a MALFORMED_RECORD with the id its head shows', () => {
    const record = parseOutputRecord(line(undefined, '{"recordId":"big\\"one","modelInput":"xxxx'), 'f.out');
    expect(record).toMatchObject({ recordId: 'big"one', error: { code: 'MALFORMED_RECORD' } });
    expect(record.error!.errorMessage).toMatch(/longer than the gateway reads/);
  });
});

describe('manifests', () => {
  it('should read the counts, token counts being optional', () => {
    expect(
      parseManifest('{"totalRecordCount":3,"processedRecordCount":3,"successRecordCount":2,"errorRecordCount":1,"inputTokenCount":10,"outputTokenCount":5}'),
    ).toEqual({ totalRecordCount: 3, processedRecordCount: 3, successRecordCount: 2, errorRecordCount: 1, inputTokenCount: 10, outputTokenCount: 5 });
    expect(parseManifest('{"totalRecordCount":3,"processedRecordCount":3,"successRecordCount":3,"errorRecordCount":0}')).toMatchObject({
      inputTokenCount: null,
      outputTokenCount: null,
    });
  });

  it('should refuse what is not a manifest', () => {
    expect(() => parseManifest('[]')).toThrow(/not a JSON object/);
    expect(() => parseManifest('{"totalRecordCount":3}')).toThrow(/processedRecordCount is missing/);
    expect(() => parseManifest('{"totalRecordCount":-1}')).toThrow(/totalRecordCount is not a count/);
  });
});

describe('output folders', () => {
  const jobArn = 'arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdef123456';
  const folderOf = (s3Uri: string) => outputFolderOf({ jobArn, outputDataConfig: { s3OutputDataConfig: { s3Uri } } });

  it("should put the job id's folder under the output URI, trailing slash or not", () => {
    expect(folderOf('s3://bucket/out/')).toEqual({ bucket: 'bucket', key: 'out/abcdef123456/' });
    expect(folderOf('s3://bucket/out')).toEqual({ bucket: 'bucket', key: 'out/abcdef123456/' });
    expect(folderOf('s3://bucket/out//')).toEqual({ bucket: 'bucket', key: 'out/abcdef123456/' });
    expect(folderOf('s3://bucket')).toEqual({ bucket: 'bucket', key: 'abcdef123456/' });
    expect(folderOf('s3://bucket/')).toEqual({ bucket: 'bucket', key: 'abcdef123456/' });
  });

  it('should have no folder for an output that is not in S3', () => {
    expect(outputFolderOf({ jobArn, outputDataConfig: { $unknown: ['somewhereElse', {}] } })).toBeUndefined();
    expect(parseS3Uri('https://bucket.s3.amazonaws.com/x')).toBeUndefined();
  });
});

describe('prices', () => {
  const prices = new Map([['amazon.nova-lite-v1:0', { input: 0.03, output: 0.12 }]]);

  it('should find a price by model id, or by the end of a model ARN', () => {
    expect(priceOf(prices, 'amazon.nova-lite-v1:0')).toEqual({ input: 0.03, output: 0.12 });
    expect(priceOf(prices, 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0')).toEqual({ input: 0.03, output: 0.12 });
    expect(priceOf(prices, 'amazon.nova-pro-v1:0')).toBeUndefined();
  });

  it('should price tokens per million', () => {
    expect(costOf({ input: 0.03, output: 0.12 }, { inputTokenCount: 1_000_000, outputTokenCount: 500_000 })).toEqual({
      currency: 'USD',
      inputCost: 0.03,
      outputCost: 0.06,
      total: 0.09,
    });
  });
});

describe('the JSON scalar', () => {
  const json = schema.getType('JSON') as GraphQLScalarType;

  it('should serialise any JSON value as it is', () => {
    for (const value of [{ a: [1, 'x', null, true] }, [1, 2], 'text', 3.5, false, null]) expect(json.serialize(value)).toEqual(value);
  });

  it('should read any literal, variables inside it included, and any variable value', () => {
    const literal = parseValue('{ a: [1, 2.5, "x", true, null, ENUM_LIKE, $v], b: { c: $missing } }');
    expect(json.parseLiteral(literal, { v: { deep: [1] } })).toEqual({ a: [1, 2.5, 'x', true, null, 'ENUM_LIKE', { deep: [1] }], b: { c: undefined } });
    expect(json.parseValue({ any: ['thing'] })).toEqual({ any: ['thing'] });
  });
});
