import type { Report } from '../core/result.js';
import { renderJson } from './json.js';

import type { Format } from './formats.js';
export { FORMATS, type Format } from './formats.js';

export interface RenderOptions {
  /** Colours for the text format (off when NO_COLOR is set or not a TTY). */
  color?: boolean;
}

/** Renders a report in one format; each format lives in its own file and is loaded on demand. */
export async function render(report: Report, format: Format, opts: RenderOptions = {}): Promise<string> {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'text':
      return (await import('./text.js')).renderText(report, opts);
    case 'sarif':
      return (await import('./sarif.js')).renderSarif(report);
    case 'html':
      return (await import('./html.js')).renderHtml(report);
    case 'junit':
      return (await import('./junit.js')).renderJunit(report);
  }
}
