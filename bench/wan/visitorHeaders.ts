/**
 * What every visitor sends, for every contender: the Accept-Encoding of a browser,
 * so each edge answers as it would answer people (compressed where it can).
 */
export const VISITOR_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'accept-encoding': 'gzip, deflate, br' })
