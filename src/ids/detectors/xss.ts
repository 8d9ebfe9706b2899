/**
 * The XSS detector. It reads a value as HTML in the contexts an application puts it in (text, inside a
 * double-quoted, single-quoted or unquoted attribute) and reports only what a browser would execute:
 * script elements, event-handler attributes, script URLs in URL-bearing attributes, CSS that runs code,
 * active elements (frames, objects, `<base>`, meta refresh). Ordinary markup (`<p>`, `<a href="/x">`,
 * `<img src="x.png">`) is not a finding in HTML mode and only a weak one in a plain field.
 * In plain fields it also looks for a break-out of a JavaScript string or expression
 * (`';alert(1)//`, `"-prompt(8)-"`).
 */
import { decodeEntities } from '../normalise/entities.js';
import { percentDecode } from '../normalise/percent.js';
import type { Emit } from './sql.js';
import type { Tag } from './html-tokens.js';
import { tokenizeHtml } from './html-tokens.js';

const URL_ATTRS = new Set([
  'href',
  'src',
  'action',
  'formaction',
  'data',
  'xlink:href',
  'background',
  'lowsrc',
  'dynsrc',
  'poster',
  'code',
  'codebase',
  'ping',
  'cite',
  'longdesc',
  'usemap',
  'manifest',
  'icon',
  'profile',
  'to',
  'from',
  'values',
  'by',
  'content',
  'srcset',
  'archive',
  'classid',
  'datasrc',
  'import',
  'implementation',
  'folder',
  'xml:base',
]);

/** DOM event handler names (for the attribute-injection context, where a bare `on…` word is common text). */
const EVENTS = new Set(
  (
    'abort afterprint animationend animationiteration animationstart auxclick beforecopy beforecut ' +
    'beforeinput beforepaste beforeprint beforeunload beforetoggle begin blur bounce canplay canplaythrough ' +
    'change click close contextmenu copy cuechange cut dblclick drag dragend dragenter dragexit dragleave dragover ' +
    'dragstart drop durationchange emptied end ended error finish focus focusin focusout formdata fullscreenchange ' +
    'hashchange input invalid keydown keypress keyup load loadeddata loadedmetadata loadend loadstart message ' +
    'mousedown mouseenter mouseleave mousemove mouseout mouseover mouseup mousewheel offline online pagehide ' +
    'pageshow paste pause play playing pointercancel pointerdown pointerenter pointerleave pointermove pointerout ' +
    'pointerover pointerrawupdate pointerup popstate progress ratechange readystatechange repeat reset resize ' +
    'scroll scrollend search seeked seeking select selectionchange selectstart show start stalled storage submit ' +
    'suspend timeupdate toggle touchend touchmove touchstart transitioncancel transitionend transitionrun ' +
    'transitionstart unhandledrejection unload volumechange waiting webkitanimationend webkitanimationiteration ' +
    'webkitanimationstart webkittransitionend wheel activate beforeactivate beforedeactivate deactivate ' +
    'controlselect errorupdate filterchange help losecapture move moveend movestart propertychange ' +
    'rowenter rowexit rowsdelete rowsinserted zoom contentvisibilityautostatechange'
  )
    .split(' ')
    .map((e) => 'on' + e),
);

const ACTIVE_TAGS = new Set([
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'base',
  'isindex',
  'portal',
  'bgsound',
  'layer',
  'ilayer',
  'import',
  'xss',
  'handler',
  'listener',
]);

const MARKUP_TAGS = new Set([
  'a',
  'abbr',
  'address',
  'area',
  'article',
  'aside',
  'audio',
  'b',
  'bdi',
  'bdo',
  'blockquote',
  'body',
  'br',
  'button',
  'canvas',
  'caption',
  'center',
  'cite',
  'code',
  'col',
  'colgroup',
  'dd',
  'del',
  'details',
  'dfn',
  'dialog',
  'div',
  'dl',
  'dt',
  'em',
  'fieldset',
  'figcaption',
  'figure',
  'font',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'head',
  'header',
  'hr',
  'html',
  'i',
  'img',
  'image',
  'input',
  'ins',
  'kbd',
  'keygen',
  'label',
  'legend',
  'li',
  'link',
  'main',
  'map',
  'mark',
  'marquee',
  'math',
  'menu',
  'meta',
  'meter',
  'nav',
  'noscript',
  'ol',
  'optgroup',
  'option',
  'output',
  'p',
  'param',
  'picture',
  'pre',
  'progress',
  'q',
  's',
  'samp',
  'section',
  'select',
  'small',
  'source',
  'span',
  'strike',
  'strong',
  'style',
  'sub',
  'summary',
  'sup',
  'svg',
  'table',
  'tbody',
  'td',
  'template',
  'textarea',
  'tfoot',
  'th',
  'thead',
  'title',
  'tr',
  'track',
  'tt',
  'u',
  'ul',
  'var',
  'video',
  'wbr',
  'xmp',
  'animate',
  'set',
  'animatetransform',
  'animatemotion',
  'use',
  'foreignobject',
  'plaintext',
  'blink',
  'spacer',
  'nobr',
  'noembed',
  'noframes',
  'comment',
  'xml',
  'basefont',
  'body',
  'command',
  'content',
  'data',
  'datalist',
  'element',
  'shadow',
  'slot',
  'time',
  'rt',
  'ruby',
  'rp',
  'listing',
  'nextid',
  'multicol',
  'acronym',
  'big',
  'dir',
  'html',
  'feimage',
  'script',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'base',
  'isindex',
  'portal',
  'bgsound',
  'layer',
  'ilayer',
  'svg',
]);

/**
 * Markup that has no place in a plain-text field and leads to script or to loading content: SVG and MathML
 * (script-capable), XML and document structure, forms, meta/link/style, namespaced (`svg:`, `xsl:`) tags.
 * In HTML mode these are ordinary (or stripped by the editor) and do not count.
 */
const SCRIPTABLE_TAGS = new Set([
  'svg',
  'math',
  'xml',
  'html',
  'head',
  'body',
  'meta',
  'link',
  'style',
  'form',
  'input',
  'button',
  'textarea',
  'select',
  'image',
  'set',
  'animate',
  'animatetransform',
  'animatemotion',
  'use',
  'foreignobject',
  'stylesheet',
  'template',
  'xmp',
  'plaintext',
  'noscript',
  'noembed',
  'noframes',
  'keygen',
  'marquee',
  'video',
  'audio',
  'source',
  'track',
  'details',
  'dialog',
  'object',
  'param',
  'title',
  'circle',
  'path',
  'rect',
  'root',
  'feimage',
  'isindex',
  'listing',
  'comment',
  'xss',
  'x',
]);
/** End tags that close a raw-text or foreign context: the way an injection escapes from one. */
const CONTEXT_END_TAGS = new Set([
  'script',
  'style',
  'iframe',
  'object',
  'embed',
  'title',
  'textarea',
  'xmp',
  'noscript',
  'svg',
  'math',
  'xml',
  'frameset',
  'template',
  'select',
  'option',
  'noembed',
  'noframes',
  'plaintext',
  'head',
  'html',
  'body',
  'form',
  'applet',
  'image',
  'style',
]);
const DATA_BINDING = new Set(['datasrc', 'datafld', 'dataformatas', 'xmlns', 'implementation']);

/** Strip what browsers ignore inside a URL scheme: whitespace and control characters. */
function schemeOf(value: string): string {
  if (value.indexOf(':') < 0 && value.indexOf('&') < 0 && value.indexOf('%') < 0) return '';
  let v = value;
  if (v.indexOf('&') >= 0) v = decodeEntities(decodeEntities(v).out).out;
  if (v.indexOf('%') >= 0) v = percentDecode(v).out;
  let out = '';
  for (let i = 0; i < v.length && out.length < 24; i++) {
    const c = v.charCodeAt(i);
    if (c <= 32 || c === 0x7f || (c >= 0x80 && c <= 0xa0)) continue;
    if (c === 58 /* : */) return out.toLowerCase();
    out += v[i];
  }
  return '';
}

const SCRIPT_SCHEMES = new Set(['javascript', 'vbscript', 'livescript', 'mocha', 'jscript', 'ecmascript']);

function dataIsActive(value: string): boolean {
  const v = value.replace(/\s+/g, '');
  return /^data:(?:text\/html|image\/svg|application\/(?:xhtml|x-shockwave|xml|ecmascript|javascript)|text\/(?:xml|javascript|ecmascript))/.test(
    v,
  );
}

const CSS_CODE =
  /expression\s{0,16}\(|javascript:|vbscript:|behavior\s{0,16}:|-moz-binding|@import|url\s{0,16}\(\s{0,16}(?:['"]\s{0,16})?(?:javascript|vbscript|data):/;

function judgeTag(tag: Tag, emit: Emit, html: boolean, strictEvents = false): boolean {
  let found = false;
  const name = tag.name;
  if (name === 'script' || name.endsWith(':script')) {
    emit('xss.script-tag');
    if (tag.body) judgeCode(tag.body, emit);
    found = true;
  }
  if (ACTIVE_TAGS.has(name)) {
    emit('xss.active-tag');
    found = true;
  }
  if (name === 'style' && tag.body !== undefined && CSS_CODE.test(tag.body)) {
    emit('xss.css-code');
    found = true;
  }
  let metaRefresh = false;
  for (const a of tag.attrs) {
    const an = a.name;
    if (
      an.length > 4 &&
      an.startsWith('on') &&
      a.value.length > 0 &&
      /^on[a-z]+$/.test(an) &&
      (!strictEvents || EVENTS.has(an))
    ) {
      emit('xss.event-handler');
      judgeCode(decodeEntities(a.value).out, emit);
      found = true;
      continue;
    }
    if (an === 'srcdoc' && a.value.indexOf('<') >= 0) {
      emit('xss.active-tag');
      found = true;
      continue;
    }
    if (an === 'style' && CSS_CODE.test(decodeEntities(a.value).out)) {
      emit('xss.css-code');
      found = true;
      continue;
    }
    if (an === 'http-equiv' && /^(?:refresh|set-cookie)$/.test(a.value.trim())) metaRefresh = true;
    if (URL_ATTRS.has(an) || an.endsWith(':href')) {
      let v = a.value;
      if (an === 'content') {
        const m = /url\s*=\s*(.{0,200})/.exec(v);
        v = m?.[1] ?? v;
      }
      const scheme = schemeOf(v);
      if (SCRIPT_SCHEMES.has(scheme)) {
        emit('xss.script-url');
        judgeCode(decodeEntities(v).out, emit);
        found = true;
      } else if (scheme === 'data' && dataIsActive(decodeEntities(v).out)) {
        emit('xss.script-url');
        found = true;
      }
    }
  }
  if (name === 'meta' && metaRefresh) {
    emit('xss.active-tag');
    found = true;
  }
  if (!found && !html) {
    let markup = SCRIPTABLE_TAGS.has(name) || name.includes(':');
    if (!markup) {
      for (const a of tag.attrs) {
        if (
          a.name === 'style' ||
          DATA_BINDING.has(a.name) ||
          a.name.startsWith('xmlns:') ||
          a.name.includes(':')
        ) {
          markup = true;
          break;
        }
        if (
          (a.name === 'src' || a.name === 'href' || a.name === 'background') &&
          /^\s{0,8}(?:[a-z][a-z0-9+.-]{0,16}:)?\/\//.test(a.value)
        ) {
          markup = true; // loads or links a remote resource
          break;
        }
        // the attribute name itself is markup syntax (`"`, `<`): a broken tag hiding another
        if (a.name.length > 1 && /["'<`]/.test(a.name)) {
          markup = true;
          break;
        }
      }
    }
    if (markup) emit('xss.scriptable-markup');
    else if (MARKUP_TAGS.has(name)) emit('xss.html-tag');
  }
  if (!found && SQUEEZED_SCRIPT.test(squeeze(tag))) {
    emit('xss.script-url');
    found = true;
  }
  return found;
}

/** A tag's attributes with whitespace removed and references decoded (`src=&#106;&#97; …`). */
function squeeze(tag: Tag): string {
  let out = '';
  for (const a of tag.attrs) {
    out += a.name + '=' + a.value;
    if (out.length > 4096) break;
  }
  return decodeEntities(out).out.replace(/\s+/g, '');
}
const SQUEEZED_SCRIPT = /(?:java|vb)script:/;

/** Break-out of a JS string or expression to call something: `';alert(1)//`, `"-prompt(8)-"`. */
const JS_SINK =
  /(?:^|[^\w$.])(?:alert|prompt|confirm|eval|settimeout|setinterval|execscript|msgbox|fetch|atob|string\.fromcharcode|document\.write(?:ln)?|navigator\.sendbeacon)\s{0,8}(?:\(|`)/;
const JS_OBJECTS =
  /\b(?:parent|top|self|window|opener|frames|globalthis)\s{0,4}\.\s{0,4}(?:alert|prompt|confirm|eval|location|document|open)\b|\bdocument\s{0,4}\.\s{0,4}(?:cookie|domain|write|location|body|forms|createelement)|\bwindow\s{0,4}\.\s{0,4}(?:location|open|name)|\blocation\s{0,4}\.\s{0,4}(?:href|hash|replace|assign)|\.innerhtml\b|\.outerhtml\b|\bconstructor\s{0,4}\(|\[\s{0,4}['"]constructor['"]|\b(?:top|self|parent|this|window|globalthis|frames)\s{0,4}\[|\bxmlhttprequest\b|\bfromcharcode\b/;
/** A sink used as a value: `(alert)(1)`, `a=prompt,a()`, `[].map(alert)`. */
const JS_SINK_VALUE = /(?:^|[=(,:[])\s{0,4}(?:alert|prompt|confirm|eval)\s{0,4}(?:\)\s{0,4}\(|[,;)\]])/;
const JS_BREAKOUT = /['"`]\s{0,8}(?:[-+*/%;,|&^)}\]]|\?\?|\binstanceof\b|\bin\b)\s{0,8}[\w$([{!~+-]/;

/** What the code in a handler, script element or script URL does (HTML mode reads only these). */
function judgeCode(code: string, emit: Emit): void {
  if (JS_SINK.test(code) || JS_SINK_VALUE.test(code)) emit('xss.js-call');
  if (JS_OBJECTS.test(code)) emit('xss.js-object');
}

/**
 * `flat`: the text with block comments stripped (`alert/**\/(1)`), read by the JavaScript checks; the
 * HTML tokenizer reads `text`, comments included.
 */
export function detectXss(text: string, emit: Emit, html: boolean, flat = text): void {
  let anyTag = false;
  if (text.indexOf('<') >= 0) {
    const toks = tokenizeHtml(text);
    for (const t of toks.tags) if (judgeTag(t, emit, html)) anyTag = true;
    if (!html) {
      for (const e of toks.endTags) {
        if (CONTEXT_END_TAGS.has(e)) {
          emit('xss.context-end-tag');
          break;
        }
      }
      for (const pi of toks.instructions) {
        if (/^(?:import|xml-stylesheet|xml:namespace|php|=|\s)/.test(pi)) {
          emit('xss.scriptable-markup');
          break;
        }
      }
      if (toks.comments > 0) emit('xss.html-comment');
    }
    for (const c of toks.specialComments) {
      if (c.startsWith('[if') && /<\s{0,8}[a-z]/.test(c)) {
        const inner = tokenizeHtml(c.slice(3));
        for (const t of inner.tags) if (judgeTag(t, emit, html)) anyTag = true;
      }
    }
  }
  if (html) return;
  // Attribute contexts: the value placed inside an attribute of the application's tag.
  if (
    !anyTag &&
    text.indexOf('=') >= 0 &&
    /\bon[a-z]{3,40}\s{0,8}=|\b(?:style|src|href|srcdoc|formaction|action|data)\s{0,8}=/.test(text)
  ) {
    for (const prefix of ['"', "'", '']) {
      if (prefix && text.indexOf(prefix) < 0) continue;
      const toks = tokenizeHtml('<x a=' + prefix + text, false);
      const first = toks.tags[0];
      if (!first) continue;
      // skip the application's own attribute `a`
      const injected: Tag = { name: 'x', attrs: first.attrs.slice(1), open: first.open };
      if (injected.attrs.length > 0 && judgeTag(injected, emit, true, true)) {
        emit('xss.attribute-breakout');
        break;
      }
    }
  }
  // A bare script URL (a website or redirect field)
  const scheme = schemeOf(text.slice(0, 64));
  if (SCRIPT_SCHEMES.has(scheme)) emit('xss.script-url');
  else if (scheme === 'data' && dataIsActive(text.slice(0, 80))) emit('xss.script-url');
  // JavaScript contexts
  const call = flat.indexOf('(') >= 0 || flat.indexOf('`') >= 0;
  if (call && (JS_SINK.test(flat) || JS_SINK_VALUE.test(flat))) {
    emit('xss.js-call');
    if (JS_BREAKOUT.test(flat)) emit('xss.js-breakout');
  }
  if ((call || flat.indexOf('.') >= 0 || flat.indexOf('[') >= 0) && JS_OBJECTS.test(flat))
    emit('xss.js-object');
}
