// Variables for a child process that must see none of the AWS settings of the machine running the
// tests: every AWS_* variable of this process left out (spawn skips undefined values), HOME at a
// directory the test owns (so ~/.aws/* is what the test puts there, or nothing), and the instance
// metadata service never asked, so that nothing leaves loopback.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function awsFreeEnv(home: string, env: Record<string, string> = {}): Record<string, string> {
  const unset = Object.fromEntries(Object.keys(process.env).filter((name) => name.startsWith('AWS_')).map((name) => [name, undefined]));
  return { ...unset, HOME: home, USERPROFILE: home, AWS_EC2_METADATA_DISABLED: 'true', ...env } as Record<string, string>;
}

/** An empty directory to be a child's HOME; `remove` deletes it with what the test put there. */
export async function createEmptyHome(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'gateway-home-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
