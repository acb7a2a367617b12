import type { Context, ServerEnv } from './context.js';

/** Suggests values for one prompt argument or template variable, given what the user typed so far. */
export type Completer<E extends ServerEnv = ServerEnv> = (
  value: string,
  context: { arguments: Record<string, string> },
  ctx: Context<E>,
) => string[] | readonly string[] | Promise<string[] | readonly string[]>;

/** Completers by argument (prompts) or variable (templates) name. */
export type Completers<E extends ServerEnv = ServerEnv> = Record<string, Completer<E>>;

/** The spec caps one completion answer at 100 values. */
const MAX_VALUES = 100;

export async function runCompleter(
  completer: Completer | undefined,
  value: string,
  args: Record<string, string>,
  ctx: Context,
): Promise<{ completion: { values: string[]; total: number; hasMore: boolean } }> {
  const all = completer ? await completer(value, { arguments: args }, ctx) : [];
  const values = all.slice(0, MAX_VALUES);
  return { completion: { values, total: all.length, hasMore: all.length > MAX_VALUES } };
}
