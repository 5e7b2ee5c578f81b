// A benchmark child: the release measurement (release.ts) in a fresh process, answering the
// parent's "run".
import { serveParent } from './child.ts';
import { measureRelease, type ReleaseOptions } from './release.ts';

serveParent(null, (command) => {
  if (command.type !== 'run') throw new Error(`unknown command ${command.type}`);
  return measureRelease(command.options as ReleaseOptions);
});
process.once('SIGTERM', () => process.exit(0));
