// Colour is decided once by the caller (TTY, NO_COLOR, FORCE_COLOR) and reaches components through context,
// so a component never has to guess from the environment.
import { createContext, useContext } from 'react';
import type { Verdict } from '../../src/model.js';
import { VERDICT_STYLE } from '../presentation.js';

export const ColorContext = createContext<boolean>(false);

export type InkColor = 'green' | 'yellow' | 'red' | 'magenta' | 'cyan' | 'gray';

/** A colour for ink's <Text color>, or undefined when colour is off. */
export function useTint(): (c: InkColor) => InkColor | undefined {
  const on = useContext(ColorContext);
  return (c) => (on ? c : undefined);
}

export function verdictColor(v: Verdict): InkColor {
  const s = VERDICT_STYLE[v];
  return s === 'bold' || s === 'dim' ? 'gray' : s;
}
