import { Box, Text } from 'ink';
import { formatDuration } from '../presentation.js';
import { Spinner } from './Spinner.js';
import type { StepView } from './state.js';
import { useTint } from './theme.js';

export interface GatherStepRowProps {
  readonly step: StepView;
  /** In <Static> nothing animates: a step still running there is shown as pending. */
  readonly live: boolean;
}

const SYMBOL = { ok: '✔', error: '✘', skipped: '-', running: '…' } as const;

export function GatherStepRow({ step, live }: GatherStepRowProps): React.JSX.Element {
  const tint = useTint();
  const color = step.status === 'ok' ? tint('green') : step.status === 'error' ? tint('red') : tint('gray');
  return (
    <Box paddingLeft={2}>
      <Box width={2}>{step.status === 'running' && live ? <Spinner /> : <Text color={color}>{SYMBOL[step.status]}</Text>}</Box>
      <Text>{step.label}</Text>
      {step.ms !== undefined ? <Text dimColor>{` (${formatDuration(step.ms)}${step.status === 'ok' ? '' : `, ${step.status}`})`}</Text> : null}
    </Box>
  );
}
