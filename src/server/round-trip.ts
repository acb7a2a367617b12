import { describeValue, McpError } from '../protocol/errors.js';
import { ErrorCode, type JsonRpcRequest } from '../protocol/jsonrpc.js';
import { isObject } from './initialize.js';
import { checkAnswer, isAnswerMap } from './input-responses.js';
import { digestOf, type RequestStateSigner, type StateBinding, type StateContents } from './request-state.js';
import type { ClientAsker, ClientRequestOptions } from './scope.js';

/**
 * The requests that may be answered `input_required` (2026-07-28, basic/patterns/mrtr "Supported
 * Requests"); under 2026 a handler of any other method cannot ask the client anything.
 */
export const ROUND_TRIP_METHODS: ReadonlySet<string> = new Set([
  'tools/call',
  'prompts/get',
  'resources/read',
]);

/** One question in `inputRequests`. */
export interface InputRequest {
  readonly method: string;
  readonly params: Record<string, unknown>;
}

/** How an attempt ended before its handler did: questions to send, or an answer that was unusable. */
export type RoundEnd =
  | {
      readonly kind: 'input_required';
      readonly inputRequests: Record<string, InputRequest>;
      readonly state: Promise<string>;
    }
  | { readonly kind: 'error'; readonly error: McpError };

/** The reason `ctx.signal` aborts when an attempt ends with questions: the handler's work is moot. */
export class InputRequiredSignal extends Error {
  override readonly name = 'InputRequired';
  constructor() {
    super('The request ended with input_required; the client retries it with the answers.');
  }
}

const NEVER = new Promise<never>(() => {});

/**
 * The `ClientAsker` of a 2026-07-28 request that may be retried (multi round-trip): an answer it
 * knows (from this retry's `inputResponses`, or carried in the verified `requestState`) is returned
 * at once; a question it does not know is recorded and its promise never settles. After the current
 * macrotask turn the attempt ends, so questions asked together leave in one `input_required`.
 */
export class RoundTrip implements ClientAsker {
  readonly inBand = true;
  readonly ended: Promise<RoundEnd>;
  private readonly inputRequests: Record<string, InputRequest> = {};
  /** The answers this run used: they ride in the next state (a client resends only the newest). */
  private readonly used: Record<string, unknown> = {};
  private readonly known: Record<string, unknown>;
  private readonly onceValues: Record<string, unknown>;
  private readonly onceRuns = new Map<string, Promise<unknown>>();
  private asked = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private over = false;
  private finish!: (end: RoundEnd) => void;

  constructor(
    private readonly signer: RequestStateSigner,
    private readonly binding: () => Promise<StateBinding>,
    fresh: Record<string, unknown>,
    carried: StateContents | undefined,
  ) {
    // What the state carries wins: a client cannot swap an answer the server already took.
    this.known = Object.assign({}, fresh, carried?.answers);
    this.onceValues = Object.assign({}, carried?.once);
    this.ended = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  ask(
    method: string,
    params: Record<string, unknown> | undefined,
    _asking: unknown,
    _send: unknown,
    options?: ClientRequestOptions,
  ): Promise<Record<string, unknown>> {
    const key = options?.key ?? `input-${++this.asked}`;
    if (options?.key !== undefined) this.asked++;
    if (this.over) return NEVER;
    const answer = this.known[key];
    if (answer === undefined) {
      this.inputRequests[key] = { method, params: params ?? {} };
      this.timer ??= setTimeout(() => this.endWithQuestions(), 0);
      return NEVER;
    }
    const wrong = checkAnswer(method, answer);
    if (wrong) {
      this.end({
        kind: 'error',
        error: McpError.invalidParams(
          `inputResponses["${key}"] is not a result of ${method}: ${wrong}. Send the client's result for the request the server asked under that key.`,
        ),
      });
      return NEVER;
    }
    this.used[key] = answer;
    return Promise.resolve(answer as Record<string, unknown>);
  }

  /** `ctx.once`: the first attempt runs `fn`; its JSON copy rides in the state and retries reuse it. */
  once<T>(key: string, fn: () => T | Promise<T>): Promise<T> {
    const kept = this.onceValues[key];
    if (isObject(kept)) return Promise.resolve(kept.v as T);
    let run = this.onceRuns.get(key);
    if (!run) {
      run = Promise.resolve()
        .then(fn)
        .then((value) => {
          const copy = jsonCopy(key, value);
          this.onceValues[key] = { v: copy };
          return copy;
        });
      this.onceRuns.set(key, run);
    }
    return run as Promise<T>;
  }

  /** The handler answered first: no round to end. */
  close(): void {
    this.over = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private endWithQuestions(): void {
    const contents: StateContents = { answers: this.used, once: this.onceValues };
    const state = this.binding().then((binding) => this.signer.seal(binding, contents));
    this.end({ kind: 'input_required', inputRequests: this.inputRequests, state });
  }

  private end(end: RoundEnd): void {
    if (this.over) return;
    this.close();
    this.finish(end);
  }
}

/**
 * Reads `inputResponses` and `requestState` of a request that may be retried, verifying the state;
 * throws -32602 for either being malformed, forged, expired or bound to another request.
 */
export function startRoundTrip(
  signer: RequestStateSigner,
  request: JsonRpcRequest,
  principal: string | undefined,
): RoundTrip | Promise<RoundTrip> {
  const params = request.params ?? {};
  const responses = params.inputResponses;
  if ('inputResponses' in params && !isAnswerMap(responses)) {
    throw McpError.invalidParams(
      `inputResponses must be an object mapping each key of the server's inputRequests to the client's result for it (an object), not ${describeValue(responses)}. Send it that way, or leave it out.`,
    );
  }
  let binding: Promise<StateBinding> | undefined;
  const bind = () => {
    binding ??= bindingOf(request, principal);
    return binding;
  };
  const fresh = (responses as Record<string, unknown> | undefined) ?? {};
  // Synchronous unless there is a state to verify: most calls never ask, and pay no extra turn.
  if (!('requestState' in params)) return new RoundTrip(signer, bind, fresh, undefined);
  return bind()
    .then((binding) => signer.open(params.requestState, binding))
    .then((carried) => new RoundTrip(signer, bind, fresh, carried));
}

async function bindingOf(request: JsonRpcRequest, principal: string | undefined): Promise<StateBinding> {
  const params = request.params ?? {};
  const target = request.method === 'resources/read' ? params.uri : params.name;
  return {
    method: request.method,
    target: typeof target === 'string' ? target : '',
    digest: await digestOf(params.arguments ?? {}),
    principal,
  };
}

function jsonCopy<T>(key: string, value: T): T {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined && value !== undefined) {
    throw new McpError(
      ErrorCode.InternalError,
      `ctx.once("${key}") returned a value JSON cannot carry; it must ride in requestState. Return plain data (objects, arrays, strings, numbers, booleans, null).`,
    );
  }
  return text === undefined ? value : (JSON.parse(text) as T);
}
