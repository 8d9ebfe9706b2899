import { defineProbe, FactUnavailable } from '../../core/probe.js';
import { describeError } from '../../core/errors.js';
import type { WalkResult } from './fs-walk.js';
import { walkTrees } from './fs-walk.js';
import { layoutProbe } from './layout.js';

/** Entries listed at most (a CiviCRM site has 20,000–100,000 files; the cap keeps memory bounded). */
export const MAX_WALK_ENTRIES = 2_000_000;

/**
 * One walk of every tree the local fs.* checks look at: the code roots (document root, CiviCRM core
 * when outside it, extensions) and what the web server serves (mounts such as Debian's wp-content).
 */
export const siteTreeProbe = defineProbe<WalkResult>({
  name: 'site file tree walk',
  timeoutMs: (t) => Math.max(t.timeoutMs, 120_000),
  async run(ctx) {
    const layout = await ctx.get(layoutProbe);
    const roots = [...layout.codeRoots, ...layout.servedRoots];
    ctx.note(`walking ${roots.join(', ')}`);
    try {
      return await walkTrees(roots, { maxEntries: MAX_WALK_ENTRIES, signal: ctx.signal });
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      throw new FactUnavailable('error', `walking ${roots.join(', ')}: ${describeError(e)}`);
    }
  },
});
