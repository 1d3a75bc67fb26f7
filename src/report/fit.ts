/**
 * Tables that fit the terminal. Each column's width is its widest value (a header wraps at its
 * spaces instead of widening the column); when the table is still wider than the terminal, the
 * wrappable columns (the diagnosis, the status) wrap down to a minimum, and then the secondary
 * columns are left out, least useful first. Piped output is not a terminal: full width, as before.
 */

export interface Column {
  head: string;
  cells: string[];
  /** Wraps at spaces, down to this many characters; never narrower than a value otherwise. */
  wrapTo?: number;
  /** With wrapTo: a word longer than the column is broken too (else a word is never cut). */
  breakWords?: boolean;
  /** Left out when the table does not fit: lower goes first, equal ranks together; never when undefined. */
  dropRank?: number;
}

export interface FittedTable {
  columns: Column[];
  /** cli-table3 colWidths (padding included); undefined when the table is not fitted. */
  colWidths?: number[];
  /** Heads of the columns left out. */
  dropped: string[];
}

const ANSI = /\x1b\[[0-9;]*m/g;
/** Visible width: code points without colour codes (the tables hold no double-width characters). */
export const visible = (s: string): number => Math.max(0, ...s.replace(ANSI, '').split('\n').map((l) => [...l].length));

const PAD = 2;
/** The narrowest a word-breaking column may get when the table cannot fit otherwise. */
const LAST_RESORT = 6;

/** The narrowest a wrapped column may be: its minimum, and no word cut. */
const narrowest = (c: Column): number => (c.breakWords ? (c.wrapTo ?? 0) + PAD : Math.max(c.wrapTo ?? 0, ...c.cells.flatMap((v) => v.replace(ANSI, '').split(/\s+/).map((w) => [...w].length))) + PAD);

function natural(c: Column): number {
  const longestHeadWord = Math.max(...c.head.split(' ').map((w) => [...w].length));
  return Math.max(longestHeadWord, ...c.cells.map(visible)) + PAD;
}

/** The terminal's width, or Infinity when the stream is not a terminal (piped: full width). */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY && stream.columns ? stream.columns : Infinity;
}

export function fitTable(all: Column[], width: number): FittedTable {
  if (!Number.isFinite(width)) return { columns: all, dropped: [] };
  let columns = [...all];
  const dropped: string[] = [];
  for (;;) {
    const widths = columns.map(natural);
    const borders = columns.length + 1;
    let excess = widths.reduce((a, b) => a + b, 0) + borders - width;
    // Wrap the wrappable columns, a character at a time from the widest, as far as their minimum allows.
    const floor = columns.map((c) => (c.wrapTo === undefined ? Infinity : narrowest(c)));
    while (excess > 0) {
      const i = widths.reduce((best, w, k) => (w > floor[k] && (best < 0 || w > widths[best]) ? k : best), -1);
      if (i < 0) break;
      widths[i]--;
      excess--;
    }
    const next = Math.min(...columns.map((c) => c.dropRank ?? Infinity));
    // Nothing left to leave out: columns that may break words go below their minimum, to a last resort.
    const lastResort = columns.map((c) => (c.breakWords ? LAST_RESORT + PAD : Infinity));
    while (excess > 0 && next === Infinity) {
      const i = widths.reduce((best, w, k) => (w > lastResort[k] && (best < 0 || w > widths[best]) ? k : best), -1);
      if (i < 0) break;
      widths[i]--;
      excess--;
    }
    if (excess <= 0 || next === Infinity) {
      const wrapped = columns.map((c, i) => (c.breakWords ? { ...c, cells: c.cells.map((v) => wrapText(v, widths[i] - PAD)) } : c));
      return { columns: wrapped, colWidths: widths, dropped };
    }
    // Columns of one rank go together (a grid's axes).
    dropped.push(...columns.filter((c) => c.dropRank === next).map((c) => c.head));
    columns = columns.filter((c) => c.dropRank !== next);
  }
}

/** Plain text wrapped at spaces to `width` columns, a longer word broken (unchanged when width is Infinity). */
export function wrapText(text: string, width: number): string {
  if (!Number.isFinite(width)) return text;
  return text
    .split('\n')
    .map((line) => {
      const out: string[] = [];
      let current = '';
      const words = line.split(' ').flatMap((w) => ([...w].length > width && !ANSI.test(w) ? breakWord(w, width) : [w]));
      for (const word of words) {
        if (current && visible(`${current} ${word}`) > width) {
          out.push(current);
          current = word;
        } else current = current ? `${current} ${word}` : word;
      }
      return [...out, current].join('\n');
    })
    .join('\n');
}

/**
 * A word longer than `width` in pieces that fit: cut after a hyphen, a slash, "=", ":" or ",", or
 * between a lower-case letter and a capital ("truncated|Normal"), where one lies in the piece's
 * last two thirds; mid-letters only where none does.
 */
function breakWord(word: string, width: number): string[] {
  const pieces: string[] = [];
  let rest = [...word];
  while (rest.length > width) {
    let cut = width;
    for (let i = width; i >= Math.ceil(width / 3); i--) {
      const before = rest[i - 1];
      const after = rest[i];
      if ('-/=:,'.includes(before) || (/[a-z]/.test(before) && /[A-Z(]/.test(after ?? ''))) {
        cut = i;
        break;
      }
    }
    pieces.push(rest.slice(0, cut).join(''));
    rest = rest.slice(cut);
  }
  return [...pieces, rest.join('')];
}
