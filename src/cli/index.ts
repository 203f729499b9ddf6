#!/usr/bin/env node
import { installSignalCleanup } from '../runtime/cleanup.js';
import { runCli } from './run.js';

installSignalCleanup((line) => process.stderr.write(line + '\n'));
process.exitCode = await runCli(process.argv.slice(2));
