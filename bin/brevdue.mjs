#!/usr/bin/env node
// The `brevdue` command (package.json "bin"). Registers tsx so the TypeScript sources run as they
// are, then hands over to backend/src/cli/main.ts. Never prints a stack trace.
import { register } from 'tsx/esm/api';

try {
  register();
  const { main } = await import('../backend/src/cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`brevdue: internal error: ${String(e instanceof Error ? e.message : e).replace(/\s*[\r\n]+\s*/g, ' ')}\n`);
  process.exitCode = 1;
}
