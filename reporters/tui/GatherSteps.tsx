import { Box, Text } from 'ink';
import { GatherStepRow } from './GatherStepRow.js';
import type { StepView } from './state.js';

export interface GatherStepsProps {
  readonly steps: readonly StepView[];
  readonly live: boolean;
}

export function GatherSteps({ steps, live }: GatherStepsProps): React.JSX.Element | null {
  if (steps.length === 0) return null;
  const done = steps.filter((s) => s.status !== 'running').length;
  return (
    <Box flexDirection="column">
      <Text dimColor>{`gathering facts ${done}/${steps.length}`}</Text>
      {steps.map((s) => (
        <GatherStepRow key={s.key} step={s} live={live} />
      ))}
    </Box>
  );
}
