// The Pothos builder. It defines no types: each type lives in its own file under schema/.
import SchemaBuilder from '@pothos/core';
import type { Context } from './context.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: {
    // Upstream gives Date objects; a cached job may carry ISO strings.
    DateTime: { Input: Date; Output: Date | string };
  };
}>({
  // Mirrors the SDK: members are non-null unless the API makes them optional.
  defaultFieldNullability: false,
});
