// Colour only for people: a TTY with NO_COLOR unset, unless FORCE_COLOR says otherwise (as Node does,
// FORCE_COLOR wins over NO_COLOR). Never escape codes in a log file or a pipe by default.

export type Style = 'green' | 'yellow' | 'red' | 'magenta' | 'cyan' | 'gray' | 'bold' | 'dim';

const CODES: Record<Style, readonly [number, number]> = {
  green: [32, 39],
  yellow: [33, 39],
  red: [31, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
  bold: [1, 22],
  dim: [2, 22],
};

export function detectColor(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

export type Paint = (style: Style, text: string) => string;

export function createPaint(color: boolean): Paint {
  if (!color) return (_style, text) => text;
  return (style, text) => {
    const [open, close] = CODES[style];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  };
}
