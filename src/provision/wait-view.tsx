// provision --wait on a terminal: the live view (ink, as the check's own), one row per thing waited on —
// a spinner while waiting, ✔ once its check passes — with what the check observed, the time waited below,
// and the notes (what is waited on, why it stopped) kept above in <Static> so they stay in the scrollback.
import { Box, Static, Text, render, type Instance } from 'ink';
import { Spinner } from '../../reporters/tui/Spinner.js';
import type { ItemState, WaitAssessment } from './wait.js';

export interface WaitViewProps {
  readonly notes: readonly string[];
  readonly items: readonly ItemState[];
  readonly elapsedS: number;
  readonly live: boolean;
}

function ItemRow({ s, live }: { readonly s: ItemState; readonly live: boolean }): React.JSX.Element {
  return (
    <Box>
      <Box width={2} flexShrink={0}>{s.state === 'ready' ? <Text color="green">✔</Text> : live ? <Spinner /> : <Text>…</Text>}</Box>
      <Text>{s.item.label}</Text>
      <Text dimColor wrap="truncate-end">{`  ${s.detail}`}</Text>
    </Box>
  );
}

export function WaitView({ notes, items, elapsedS, live }: WaitViewProps): React.JSX.Element {
  return (
    <Box flexDirection="column">
      <Static items={notes.map((n, i) => ({ n, i }))}>{({ n, i }) => <Text key={i}>{n}</Text>}</Static>
      {items.map((s) => (
        <ItemRow key={s.item.id} s={s} live={live} />
      ))}
      {items.length > 0 ? <Text dimColor>{`  waited ${elapsedS} s`}</Text> : null}
    </Box>
  );
}

/** The wait's progress drawn by ink on `out` (a terminal); `end` leaves the last frame on screen. */
export function inkWaitProgress(out: NodeJS.WriteStream): { update(a: WaitAssessment, elapsedMs: number): void; note(line: string): void; end(): void } {
  const notes: string[] = [];
  let items: readonly ItemState[] = [];
  let elapsedS = 0;
  let instance: Instance | null = null;
  let ended = false;
  const draw = (live: boolean) => {
    const view = <WaitView notes={[...notes]} items={items} elapsedS={elapsedS} live={live} />;
    if (instance) instance.rerender(view);
    else instance = render(view, { stdout: out, patchConsole: false, exitOnCtrlC: false });
  };
  return {
    update(a, elapsedMs) {
      items = a.items;
      elapsedS = Math.round(elapsedMs / 1000);
      draw(true);
    },
    note(line) {
      // Once the view is unmounted its frame stays on screen: later notes are plain lines below it.
      if (ended) {
        out.write(`${line}\n`);
        return;
      }
      notes.push(line);
      draw(true);
    },
    end() {
      if (ended) return;
      ended = true;
      if (!instance) return;
      draw(false);
      instance.unmount();
      instance = null;
    },
  };
}
