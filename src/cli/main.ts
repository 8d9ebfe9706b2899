#!/usr/bin/env node
/**
 * The entry point. It only tunes the heap, then loads the program: for `backup` commands the young
 * generation is kept at its initial size (see backup/gc.ts). That must happen before the other modules
 * are even parsed (loading them grows the semi-spaces), hence the dynamic import. Other commands keep
 * V8's defaults: the IDS scanner allocates fast and is better served by a large young generation.
 */
import { keepYoungGenerationSmall } from '../backup/gc.js';

if (process.argv[2] === 'backup') keepYoungGenerationSmall();
await (await import('./program.js')).main(process.argv);
