// A V8 setting for the CLI process, made before anything else runs (issue 11).
//
// A receive makes short-lived Buffers several times the size of what it receives
// (socket reads, the gathered body pieces, AES-GCM output joined per piece), and V8
// answers that external memory with a full collection about every 7 MB, ~150 per
// GiB. With concurrent sweeping each one hands its sweeping to background tasks,
// and on a small machine shared with the server those cost far more CPU than the
// sweeping itself: receiving 1 GiB took 5.6-6.3 client CPU-s with them, 3.3-3.4
// with the sweeping on the main thread, and no longer. This flag is read at each
// collection, so setting it now is safe; others (parallel marking) are not: V8
// aborts when they change after start-up, so none is set here.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--no-concurrent-sweeping');
