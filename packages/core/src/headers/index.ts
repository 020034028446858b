// Protocol header helpers: RFC 3229 (A-IM, IM, Delta-Base), RFC 9110 (entity tags,
// If-None-Match, Accept-Encoding), RFC 9530 (Repr-Digest) and RFC 9842
// (Available-Dictionary). Every parser treats malformed input as absent and never throws.

export type { FieldValue } from './fieldSyntax.ts'
export { headerText } from './fieldSyntax.ts'
export type { InstanceManipulation } from './instanceManipulation.ts'
export { acceptsIm, formatIm, parseAIm, parseIm } from './instanceManipulation.ts'
export type { EntityTag, IfNoneMatch } from './entityTags.ts'
export { formatEntityTag, parseEntityTag, parseIfNoneMatch, strongMatch, strongTags, weakMatch } from './entityTags.ts'
export { parseDeltaBase } from './deltaBase.ts'
export { parseReprDigest, parseSha256ReprDigest, wantsNoSha256Digest } from './reprDigest.ts'
export { parseAvailableDictionary } from './availableDictionary.ts'
export { acceptsEncoding, negotiateEncoding, parseAcceptEncoding } from './acceptEncoding.ts'
export { mergeVary } from './vary.ts'
