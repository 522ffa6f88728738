/**
 * Told to every client at initialize, once instead of in every tool: the error envelope (each output schema only
 * says a failed call's structuredContent has `error`) and where the meaning of a result's fields is.
 */
export const CATALOG_INSTRUCTIONS =
  'A failed call is a result with isError true and structuredContent.error = { code, message, retryable, details?, request_id? }. ' +
  'What a tool does in full and what each field of its result means: the resource docs://tools/<tool name>.';
