import { styleText } from 'node:util';

/** Options of {@link formatLogLine}. */
export interface LogLineFormat {
  /** Short service name printed before every line, e.g. `customer`. */
  readonly name: string;
  /** Width the name is padded to so that messages line up (characters; default: the name's length). */
  readonly nameWidth?: number;
  /** Colour of the name (a `util.styleText` colour). */
  readonly color: NameColor;
  /** Whether to emit ANSI colours (default false). */
  readonly ansi?: boolean;
}

/** Colours a service name may take. */
export type NameColor = 'cyan' | 'magenta' | 'green' | 'yellow' | 'blue' | 'red' | 'white' | 'gray';

const LEVELS: Readonly<Record<number, { label: string; color: 'gray' | 'green' | 'yellow' | 'red' | 'bgRed' }>> = {
  10: { label: 'TRACE', color: 'gray' },
  20: { label: 'DEBUG', color: 'gray' },
  30: { label: 'INFO ', color: 'green' },
  40: { label: 'WARN ', color: 'yellow' },
  50: { label: 'ERROR', color: 'red' },
  60: { label: 'FATAL', color: 'bgRed' },
};

const LEVEL_NUMBERS: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

// pino's bookkeeping fields; everything else is context worth showing.
const HIDDEN_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'v', 'err', 'error']);
const MAX_VALUE_LENGTH = 120;

/**
 * Turns one line a child process printed into one or more console lines prefixed with the service name.
 * A pino JSON line becomes `name | HH:MM:SS.mmm LEVEL msg key=value ...` (with the error's stack, indented,
 * for errors); anything else is kept as it is.
 */
export function formatLogLine(line: string, format: LogLineFormat): string {
  const ansi = format.ansi ?? false;
  const paint = (style: Parameters<typeof styleText>[0], text: string): string => (ansi ? styleText(style, text, { validateStream: false }) : text);
  const prefix = `${paint([format.color, 'bold'], format.name.padEnd(format.nameWidth ?? format.name.length))} ${paint('gray', '|')} `;
  const record = parsePinoRecord(line);
  if (record === undefined) return prefix + line;

  const level = LEVELS[record.level] ?? { label: String(record.level).padEnd(5), color: 'gray' as const };
  const parts = [paint('gray', formatTime(record.time)), paint(level.color, level.label), record.msg];
  for (const [key, value] of Object.entries(record.fields)) {
    if (HIDDEN_FIELDS.has(key) || value === undefined) continue;
    parts.push(paint('gray', `${key}=${formatValue(value)}`));
  }
  const error = describeError(record.fields['err'] ?? record.fields['error']);
  if (error !== undefined) parts.push(paint('red', `err=${error.summary}`));
  const lines = [prefix + parts.filter((part) => part !== '').join(' ')];
  if (error?.stack !== undefined && record.level >= 50) {
    for (const stackLine of error.stack.split('\n').slice(1)) lines.push(prefix + paint('gray', `    ${stackLine.trim()}`));
  }
  return lines.join('\n');
}

interface PinoRecord {
  readonly level: number;
  readonly time: unknown;
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

function parsePinoRecord(line: string): PinoRecord | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields = value as Record<string, unknown>;
  const raw = fields['level'];
  // pino writes numbers by default and labels when the app formats levels (`formatters.level`).
  const level = typeof raw === 'number' ? raw : typeof raw === 'string' ? LEVEL_NUMBERS[raw] : undefined;
  if (level === undefined) return undefined;
  const msg = typeof fields['msg'] === 'string' ? fields['msg'] : '';
  return { level, time: fields['time'], msg, fields };
}

function formatTime(time: unknown): string {
  const date = typeof time === 'number' || typeof time === 'string' ? new Date(time) : new Date();
  if (Number.isNaN(date.getTime())) return '--:--:--.---';
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function formatValue(value: unknown): string {
  const text = typeof value === 'string' ? (/\s/.test(value) ? JSON.stringify(value) : value) : JSON.stringify(value);
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

function describeError(value: unknown): { summary: string; stack?: string } | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object') return { summary: formatValue(value) };
  const error = value as Record<string, unknown>;
  const type = typeof error['type'] === 'string' ? error['type'] : typeof error['name'] === 'string' ? error['name'] : 'Error';
  const message = typeof error['message'] === 'string' ? error['message'] : '';
  const stack = typeof error['stack'] === 'string' ? error['stack'] : undefined;
  return { summary: formatValue(message === '' ? type : `${type}: ${message}`), ...(stack === undefined ? {} : { stack }) };
}
