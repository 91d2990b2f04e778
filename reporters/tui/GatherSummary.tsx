import { Box, Text } from 'ink';
import { GatherStepRow } from './GatherStepRow.js';
import type { StepView } from './state.js';

export interface GatherSummaryProps {
  readonly steps: readonly StepView[];
}

/** Gathering, once done: one line of counts, and only the steps that errored (the rest is in the reports). */
export function GatherSummary({ steps }: GatherSummaryProps): React.JSX.Element {
  const count = (s: StepView['status']) => steps.filter((x) => x.status === s).length;
  const slowest = steps.reduce((m, s) => Math.max(m, s.ms ?? 0), 0);
  const parts = [`${count('ok')} ok`, `${count('error')} error`, `${count('skipped')} skipped`];
  if (count('running') > 0) parts.push(`${count('running')} unfinished`);
  return (
    <Box flexDirection="column">
      <Text dimColor>{`gathered ${steps.length} facts: ${parts.join(', ')} (slowest ${slowest} ms)`}</Text>
      {steps
        .filter((s) => s.status === 'error')
        .map((s) => (
          <GatherStepRow key={s.key} step={s} live={false} />
        ))}
    </Box>
  );
}
