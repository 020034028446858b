import type { FieldValue } from './fieldSyntax.ts'
import { singleFieldLine } from './fieldSyntax.ts'
import { parseEntityTag } from './entityTags.ts'

// RFC 3229 section 10.5.1: `Delta-Base: <entity-tag>` names the instance a 226
// response was computed against. A delta can only be applied to byte-identical
// content, so only a strong tag (RFC 9110 section 8.8.3.2) is usable as a base.

/**
 * Parses `Delta-Base` into the strong opaque-tag with its quotes (e.g. `"cg-..."`).
 * Undefined when absent, weak, malformed, or given more than once: a response that
 * names two bases cannot be trusted to say which one it used.
 */
export function parseDeltaBase (value: FieldValue): string | undefined {
  const line = singleFieldLine(value)
  if (line === undefined) return undefined
  // A comma list of tags is not one entity-tag, so parseEntityTag rejects it too.
  const tag = parseEntityTag(line)
  return tag === undefined || tag.weak ? undefined : tag.opaque
}
