#!/usr/bin/env node
// The command line is TypeScript run through tsx, so `npx switchboard` needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import(new URL('../electron/agent/cli.ts', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
