import { Box, Static, useStdout } from 'ink';
import { useSyncExternalStore } from 'react';
import { FinishedItemView } from './FinishedItemView.js';
import { GatherSteps } from './GatherSteps.js';
import { Header } from './Header.js';
import { RunningCounts } from './RunningCounts.js';
import type { TuiStore } from './state.js';
import { SummaryView } from './SummaryView.js';

export interface LiveViewProps {
  readonly store: TuiStore;
}

/** Finished items in <Static> (written once, scroll away naturally); what is still moving below; summary last. */
export function LiveView({ store }: LiveViewProps): React.JSX.Element {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  // <Static> lays its children out without the terminal's width: give each item the width, so long
  // values wrap under their own column instead of at the terminal's edge.
  const { stdout } = useStdout();
  const width = stdout.columns > 0 ? stdout.columns : 80;
  return (
    <Box flexDirection="column">
      <Static items={[...state.finished]}>{(item) => (
          <Box key={item.key} width={width} flexDirection="column">
            <FinishedItemView item={item} />
          </Box>
        )}</Static>
      {state.committed ? null : <Header target={state.target} checkCount={state.checkCount} {...(state.replay ? { replay: state.replay } : {})} />}
      {state.committed ? null : <GatherSteps steps={state.steps} live />}
      {state.end ? (
        <SummaryView attention={state.end.attention} summary={state.end.summary} durationMs={state.end.durationMs} lookFirst={state.end.lookFirst} />
      ) : state.committed ? (
        <RunningCounts counts={state.counts} total={state.checkCount} />
      ) : null}
    </Box>
  );
}
