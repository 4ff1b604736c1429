/**
 * Name-keyed records (servers, presets, tokens) read from JSON files are plain objects, and a name may
 * be any word a person picks: `constructor`, `toString`, `__proto__`. A plain `obj[name]` finds
 * Object.prototype's members for those, and `obj[name] = v` with `__proto__` changes the prototype
 * instead of adding an entry. These helpers touch only the object's own entries.
 */

/** The entry stored under `name`, never an inherited member. */
export function ownEntry<T>(record: Record<string, T>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

/** Store `value` under `name` as an ordinary own entry (also for `__proto__`); it is written out by JSON.stringify. */
export function setOwnEntry<T>(record: Record<string, T>, name: string, value: T): void {
  Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
}
