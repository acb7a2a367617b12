import { describeValue } from '../protocol/errors.js';
import { isObject } from './initialize.js';

/**
 * The shape checks of `inputResponses` (2026-07-28, basic/patterns/mrtr "Error Handling": servers
 * SHOULD validate that it is an InputResponses object whose entries parse as the results asked for).
 */

/** An object whose every value is an object: the shape of `InputResponses`. */
export function isAnswerMap(value: unknown): value is Record<string, Record<string, unknown>> {
  return isObject(value) && Object.values(value).every(isObject);
}

/** What is wrong with an answer for `method`, or undefined when it has the result's shape. */
export function checkAnswer(method: string, answer: unknown): string | undefined {
  if (!isObject(answer)) return `expected an object, got ${describeValue(answer)}`;
  if (method === 'elicitation/create') {
    const ok = ['accept', 'decline', 'cancel'].includes(answer.action as string);
    if (!ok || (answer.content !== undefined && !isObject(answer.content))) {
      return 'an elicitation answer is { action: "accept" | "decline" | "cancel", content?: object }';
    }
  } else if (method === 'sampling/createMessage') {
    const content = answer.content;
    if (
      typeof answer.role !== 'string' ||
      typeof answer.model !== 'string' ||
      !(isObject(content) || Array.isArray(content))
    ) {
      return 'a sampling answer is a CreateMessageResult { role, content, model, stopReason? }';
    }
  } else if (method === 'roots/list') {
    const roots = answer.roots;
    if (!Array.isArray(roots) || !roots.every((root) => isObject(root) && typeof root.uri === 'string')) {
      return 'a roots answer is { roots: [{ uri, name? }] }';
    }
  }
  return undefined;
}
