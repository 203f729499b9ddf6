import { installSignalCleanup } from '../runtime/cleanup.js';
import { run } from './run.js';

// A cancelled workflow sends SIGINT, then SIGTERM: stop builds and remove temp dirs on either.
installSignalCleanup((line) => process.stderr.write(line + '\n'));
await run();
