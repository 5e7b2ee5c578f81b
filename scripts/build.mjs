// `npm run build`: a clean dist/ from src/ (tsc -p tsconfig.build.json), plus the dashboard's
// static files, which serve.ts reads from beside itself. Plain JavaScript: it runs before anything
// can load TypeScript.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
cpSync('src/dashboard/public', 'dist/dashboard/public', { recursive: true });
