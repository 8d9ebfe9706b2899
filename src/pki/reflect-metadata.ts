/**
 * The part of the Reflect metadata API that @peculiar/x509's dependency tsyringe needs
 * (`defineMetadata`, `getMetadata`, `getOwnMetadata`). No polyfill package is installed, and
 * tsyringe throws at load time without one, so this must be imported before `@peculiar/x509`.
 * Installs nothing when a full polyfill is already present.
 */
type Key = string | symbol | undefined;
const store = new WeakMap<object, Map<Key, Map<unknown, unknown>>>();

function own(target: object, prop: Key, create: boolean): Map<unknown, unknown> | undefined {
  let byProp = store.get(target);
  if (!byProp) {
    if (!create) return undefined;
    byProp = new Map();
    store.set(target, byProp);
  }
  let meta = byProp.get(prop);
  if (!meta && create) {
    meta = new Map();
    byProp.set(prop, meta);
  }
  return meta;
}

const R = Reflect as unknown as Record<string, unknown>;
if (typeof R.getMetadata !== 'function') {
  const api = {
    defineMetadata(key: unknown, value: unknown, target: object, prop?: Key): void {
      own(target, prop, true)!.set(key, value);
    },
    getOwnMetadata(key: unknown, target: object, prop?: Key): unknown {
      return own(target, prop, false)?.get(key);
    },
    hasOwnMetadata(key: unknown, target: object, prop?: Key): boolean {
      return own(target, prop, false)?.has(key) ?? false;
    },
    getMetadata(key: unknown, target: object, prop?: Key): unknown {
      for (let t: object | null = target; t; t = Object.getPrototypeOf(t) as object | null) {
        const m = own(t, prop, false);
        if (m?.has(key)) return m.get(key);
      }
      return undefined;
    },
    hasMetadata(key: unknown, target: object, prop?: Key): boolean {
      return api.getMetadata(key, target, prop) !== undefined;
    },
    metadata(key: unknown, value: unknown) {
      return (target: object, prop?: Key): void => api.defineMetadata(key, value, target, prop);
    },
  };
  Object.assign(R, api);
}

export {};
