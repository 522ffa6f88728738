/** Longest line (or CSV record) an import reads, in bytes; a longer one is rejected as a row. */
export const MAX_RECORD_BYTES = 1024 * 1024;
