import { statSync } from 'node:fs';
import { defineProbe } from '../../core/probe.js';
import { layoutProbe } from './layout.js';

export interface FileMode {
  path: string;
  /** Permission bits. */
  mode: number;
  uid: number;
  gid: number;
}

/** Owner and mode of civicrm.settings.php, the files it includes and the CMS's settings files. */
export const settingsFilesProbe = defineProbe<FileMode[]>({
  name: 'settings file permissions',
  async run(ctx) {
    const layout = await ctx.get(layoutProbe);
    const paths = new Set<string>([...(layout.settings?.files ?? []), ...layout.cmsSettingsFiles]);
    if (layout.settingsFile) paths.add(layout.settingsFile);
    const out: FileMode[] = [];
    for (const p of paths) {
      try {
        const st = statSync(p);
        if (st.isFile()) out.push({ path: p, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
      } catch {
        /* vanished: nothing to judge */
      }
    }
    return out;
  },
});
