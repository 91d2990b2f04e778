import { Box, Text } from 'ink';
import type { Summary } from '../../src/model.js';
import { VERDICTS } from '../../src/model.js';
import { useTint, verdictColor } from './theme.js';

export interface RunningCountsProps {
  readonly counts: Summary;
  readonly total?: number;
}

export function RunningCounts({ counts, total }: RunningCountsProps): React.JSX.Element {
  const tint = useTint();
  const done = VERDICTS.reduce((n, v) => n + counts[v], 0);
  return (
    <Box marginTop={1}>
      <Text>
        {`checks ${done}${total !== undefined ? `/${total}` : ''}`}
        {VERDICTS.filter((v) => counts[v] > 0).map((v) => (
          <Text key={v} color={tint(verdictColor(v))}>{` · ${counts[v]} ${v}`}</Text>
        ))}
      </Text>
    </Box>
  );
}
