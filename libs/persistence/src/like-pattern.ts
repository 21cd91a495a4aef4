/**
 * A `%text%` pattern for LIKE/ILIKE that matches the text literally: `%`, `_` and the escape
 * character itself are escaped (PostgreSQL's default LIKE escape is the backslash), so a search
 * for "50%_off" finds that text instead of anything.
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
