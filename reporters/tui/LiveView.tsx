import { Box, Static } from 'ink';
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
  return (
    <Box flexDirection="column">
      <Static items={[...state.finished]}>{(item) => <FinishedItemView key={item.key} item={item} />}</Static>
      {state.committed ? null : <Header target={state.target} checkCount={state.checkCount} />}
      {state.committed ? null : <GatherSteps steps={state.steps} live />}
      {state.end ? (
        <SummaryView summary={state.end.summary} durationMs={state.end.durationMs} lookFirst={state.end.lookFirst} />
      ) : state.committed ? (
        <RunningCounts counts={state.counts} total={state.checkCount} />
      ) : null}
    </Box>
  );
}
