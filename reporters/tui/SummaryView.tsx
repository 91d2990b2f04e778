import { Box, Text } from 'ink';
import type { Summary } from '../../src/model.js';
import { VERDICTS } from '../../src/model.js';
import { formatDuration } from '../presentation.js';
import { useTint, verdictColor } from './theme.js';

export interface SummaryViewProps {
  readonly summary: Summary;
  readonly durationMs: number;
  readonly lookFirst: string;
}

export function SummaryView({ summary, durationMs, lookFirst }: SummaryViewProps): React.JSX.Element {
  const tint = useTint();
  const bad = summary.fail > 0 || summary.error > 0;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text>
        <Text bold>summary: </Text>
        {VERDICTS.map((v, i) => (
          <Text key={v} color={summary[v] > 0 ? tint(verdictColor(v)) : undefined} dimColor={summary[v] === 0}>
            {`${i > 0 ? ', ' : ''}${summary[v]} ${v}`}
          </Text>
        ))}
        {` in ${formatDuration(durationMs)}`}
      </Text>
      <Text color={bad ? tint('red') : tint('green')} bold>
        {lookFirst}
      </Text>
    </Box>
  );
}
