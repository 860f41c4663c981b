/**
 * The register file is not a workbook Milepost can read: not a zip, not an .xlsx (an .xls, a
 * .csv, an .ods renamed), empty, truncated, or a directory. The message names the file and
 * says what was expected; nothing was written.
 */
export class WorkbookUnreadableError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file} is not a readable .xlsx workbook: ${detail}`);
  }
}
