// Loaded with `--import`: appends the URL of every module the process loads through the ES module
// loader (its own, and the packages it imports) to the file RECORD_MODULES_FILE names.
import { register } from 'node:module';

register(new URL('./record-modules-hooks.mjs', import.meta.url), { data: { file: process.env.RECORD_MODULES_FILE } });
