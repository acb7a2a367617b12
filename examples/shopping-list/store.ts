/**
 * The shopping list every host example shares: one in-memory store that both the REST routes and
 * the MCP tools read and write, so an item added through one shows in the other.
 */

export interface Item {
  id: number;
  name: string;
  quantity: number;
}

export interface Order {
  id: number;
  items: Item[];
  placedAt: string;
}

export class ShoppingList {
  private readonly items = new Map<number, Item>();
  private readonly orders: Order[] = [];
  private nextId = 1;
  private readonly listeners = new Set<() => void>();

  list(): Item[] {
    return [...this.items.values()];
  }

  add(name: string, quantity = 1): Item {
    const existing = this.list().find((item) => item.name.toLowerCase() === name.toLowerCase());
    if (existing) {
      existing.quantity += quantity;
      this.changed();
      return existing;
    }
    const item = { id: this.nextId++, name, quantity };
    this.items.set(item.id, item);
    this.changed();
    return item;
  }

  remove(name: string): Item | undefined {
    const item = this.list().find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
    if (item) {
      this.items.delete(item.id);
      this.changed();
    }
    return item;
  }

  /** Turns the list into an order and empties it. */
  placeOrder(): Order | undefined {
    const items = this.list();
    if (items.length === 0) return undefined;
    const order = { id: this.orders.length + 1, items, placedAt: new Date().toISOString() };
    this.orders.push(order);
    this.items.clear();
    this.changed();
    return order;
  }

  /** Runs `listener` after every change (the MCP server uses it to notify subscribers). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
