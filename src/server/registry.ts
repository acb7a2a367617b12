import { WharfError, WharfErrorCode } from '../protocol/errors.js';
import type { ProtocolVersion } from '../protocol/versions.js';

/** What every registry entry has: a key (name or URI), an on/off switch, and its wire definition. */
export interface RegistryEntry<Definition> {
  readonly key: string;
  enabled: boolean;
  readonly definition: Definition;
}

/** The handle `server.tool()` and friends return, to change what is offered at run time. */
export interface RegisteredHandle {
  readonly name: string;
  readonly enabled: boolean;
  /** Offers it again; clients get a `list_changed` notification. */
  enable(): void;
  /** Hides it from lists and calls until enabled again; clients get `list_changed`. */
  disable(): void;
  /** Removes it for good; the name can be registered again. Clients get `list_changed`. */
  remove(): void;
}

/**
 * Entries of one kind (tools, prompts, resources, templates), in registration order. Keeps a
 * per-version cache of the shaped list so `*\/list` does no work until something changes.
 */
export class Registry<Entry extends RegistryEntry<Definition>, Definition> {
  private readonly entries = new Map<string, Entry>();
  private readonly listCache = new Map<ProtocolVersion, Definition[]>();

  constructor(
    private readonly kind: string,
    private readonly shape: (definition: Definition, version: ProtocolVersion) => Definition,
    private readonly onChange: () => void,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  add(entry: Entry): RegisteredHandle {
    if (this.entries.has(entry.key)) {
      throw new WharfError(
        WharfErrorCode.DuplicateName,
        `A ${this.kind} named "${entry.key}" is already registered. Pick another name, or call remove() on the handle the first registration returned before registering it again.`,
      );
    }
    this.entries.set(entry.key, entry);
    this.changed();
    return {
      name: entry.key,
      get enabled() {
        return entry.enabled;
      },
      enable: () => this.setEnabled(entry, true),
      disable: () => this.setEnabled(entry, false),
      remove: () => {
        if (this.entries.get(entry.key) === entry) {
          this.entries.delete(entry.key);
          this.changed();
        }
      },
    };
  }

  /** The enabled entry with this key, if any. */
  get(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    return entry?.enabled ? entry : undefined;
  }

  /** Enabled entries in registration order. */
  *enabled(): IterableIterator<Entry> {
    for (const entry of this.entries.values()) if (entry.enabled) yield entry;
  }

  /** The shaped definitions for one protocol version, cached until the registry changes. */
  list(version: ProtocolVersion): Definition[] {
    let list = this.listCache.get(version);
    if (!list) {
      list = [];
      for (const entry of this.enabled()) list.push(this.shape(entry.definition, version));
      this.listCache.set(version, list);
    }
    return list;
  }

  private setEnabled(entry: Entry, enabled: boolean): void {
    if (entry.enabled === enabled || this.entries.get(entry.key) !== entry) return;
    entry.enabled = enabled;
    this.changed();
  }

  private changed(): void {
    this.listCache.clear();
    this.onChange();
  }
}
