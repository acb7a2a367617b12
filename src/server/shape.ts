import type {
  CallToolResult,
  ContentBlock,
  GetPromptResult,
  Implementation,
  PromptDefinition,
  PromptMessage,
  ResourceDefinition,
  ResourceTemplateDefinition,
  ToolDefinition,
} from '../protocol/types.js';
import { featuresOf, type ProtocolVersion } from '../protocol/versions.js';

/**
 * Definitions are registered once with every field any revision knows; a client that negotiated an
 * older revision gets only the fields its schema has. These run once per version per list change
 * (lists are cached), never per request, except `shapeToolResult`, which only copies when it must.
 */

type Fields<T> = { -readonly [K in keyof T]?: T[K] };

function without<T extends object>(value: T, keys: readonly (keyof T)[]): T {
  let copy: Fields<T> | undefined;
  for (const key of keys) {
    if (value[key] !== undefined) {
      copy ??= { ...value };
      delete copy[key];
    }
  }
  return (copy as T | undefined) ?? value;
}

function droppedKeys<T>(version: ProtocolVersion, extra: { annotations?: boolean; outputSchema?: boolean }) {
  const features = featuresOf(version);
  const keys: string[] = [];
  if (!features.titles) keys.push('title', '_meta');
  if (!features.icons) keys.push('icons');
  if (extra.annotations && !features.toolAnnotations) keys.push('annotations');
  if (extra.outputSchema && !features.structuredContent) keys.push('outputSchema');
  return keys as (keyof T)[];
}

export function shapeTool(tool: ToolDefinition, version: ProtocolVersion): ToolDefinition {
  return without(tool, droppedKeys<ToolDefinition>(version, { annotations: true, outputSchema: true }));
}

export function shapeResource(resource: ResourceDefinition, version: ProtocolVersion): ResourceDefinition {
  return without(resource, droppedKeys<ResourceDefinition>(version, {}));
}

export function shapeTemplate(
  template: ResourceTemplateDefinition,
  version: ProtocolVersion,
): ResourceTemplateDefinition {
  return without(template, droppedKeys<ResourceTemplateDefinition>(version, {}));
}

export function shapePrompt(prompt: PromptDefinition, version: ProtocolVersion): PromptDefinition {
  const shaped = without(prompt, droppedKeys<PromptDefinition>(version, {}));
  if (featuresOf(version).titles || !shaped.arguments?.some((argument) => argument.title !== undefined)) {
    return shaped;
  }
  return { ...shaped, arguments: shaped.arguments.map(({ title: _title, ...argument }) => argument) };
}

export function shapeImplementation(info: Implementation, version: ProtocolVersion): Implementation {
  const features = featuresOf(version);
  if (features.icons) return info;
  const keys: (keyof Implementation)[] = ['icons', 'description', 'websiteUrl'];
  if (!features.titles) keys.push('title');
  return without(info, keys);
}

/**
 * Structured content is 2025-06-18 and later; older clients get the text content alone. Content
 * blocks a revision lacks become text that says what was there. For the latest revision this
 * returns the result untouched without looking at it.
 */
export function shapeToolResult(result: CallToolResult, version: ProtocolVersion): CallToolResult {
  const features = featuresOf(version);
  let shaped = result;
  if (result.structuredContent !== undefined && !features.structuredContent) {
    shaped = without(result, ['structuredContent']);
  }
  if (features.resourceLinks && features.audioContent) return shaped;
  const content = shapeContent(shaped.content, version);
  return content === shaped.content ? shaped : { ...shaped, content };
}

export function shapePromptResult(result: GetPromptResult, version: ProtocolVersion): GetPromptResult {
  const features = featuresOf(version);
  if (features.resourceLinks && features.audioContent) return result;
  let messages: PromptMessage[] | undefined;
  result.messages.forEach((message, i) => {
    const content = shapeBlock(message.content, version);
    if (content !== message.content) {
      messages ??= [...result.messages];
      messages[i] = { ...message, content };
    }
  });
  return messages ? { ...result, messages } : result;
}

function shapeContent(content: ContentBlock[], version: ProtocolVersion): ContentBlock[] {
  let shaped: ContentBlock[] | undefined;
  content.forEach((block, i) => {
    const replaced = shapeBlock(block, version);
    if (replaced !== block) {
      shaped ??= [...content];
      shaped[i] = replaced;
    }
  });
  return shaped ?? content;
}

function shapeBlock(block: ContentBlock, version: ProtocolVersion): ContentBlock {
  const features = featuresOf(version);
  if (block.type === 'resource_link' && !features.resourceLinks) {
    return { type: 'text', text: `Resource: ${block.uri}${block.name ? ` (${block.name})` : ''}` };
  }
  if (block.type === 'audio' && !features.audioContent) {
    return {
      type: 'text',
      text: `[audio (${block.mimeType}) left out: protocol ${version} has no audio content]`,
    };
  }
  return block;
}
