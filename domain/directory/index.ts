/**
 * The national directory (issue 3): import, search, statuses, favourites and groups.
 *
 * For scripts and the demo seed:
 *   generateExtract({ lines, seed?, columns?: 52 | 56, bom?, crlf?, trailingPipe? }, writable)
 *     → Promise<{ lines, professionals }>   writes a synthetic extract and ends `writable`.
 *   importExtract(db: Knex, filePath, { onProgress?, allowShrink? })
 *     → Promise<ImportReport>   counts, first 20 malformed lines, added/updated/removed.
 *     Throws ExtractFormatError (wrong header, nothing written) or ImportRefusedError.
 *   enrichFromFiness(db, etalabCsvPath) → Promise<{ establishments, structuresUpdated, malformed }>
 * Example (a demo seed of a few hundred professionals):
 *   await generateExtract({ lines: 1000, seed: 42 }, createWriteStream(path));
 *   await importExtract(ctx.db, path);
 */
export { ALL_CODES, resolveProfession, suggestProfessions } from './codes';
export type {
  DirectoryEntry,
  EntryRef,
  ProfessionalEntry,
  StructureEntry,
  Viewer,
} from './entries';
export { addFavourite, listFavourites, removeFavourite } from './favourites';
export { enrichFromFiness, type FinessReport } from './finess';
export { type GenerateOptions, type GenerateReport, generateExtract } from './generator';
export { resolvePlace, suggestPlaces } from './geography';
export {
  addGroupMember,
  createGroup,
  deleteGroup,
  getGroup,
  groupRecipients,
  listGroups,
  removeGroupMember,
  renameGroup,
} from './groups';
export {
  type ImportOptions,
  type ImportPhase,
  type ImportProgress,
  ImportRefusedError,
  type ImportReport,
  importExtract,
} from './importer';
export { listStructureMembers } from './members';
export { ExtractFormatError } from './parser';
export { type EntryKind, toRef } from './refs';
export { type SearchRequest, type SearchResult, searchDirectory } from './search';
export type { AccountStatus } from './statuses';
