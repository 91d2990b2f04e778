import { Box, Text } from 'ink';
import type { CheckResult, Summary } from '../../src/model.js';
import { VERDICTS } from '../../src/model.js';
import { VERDICT_TAG, formatDuration } from '../presentation.js';
import { useTint, verdictColor } from './theme.js';

export interface SummaryViewProps {
  readonly attention?: readonly CheckResult[];
  readonly summary: Summary;
  readonly durationMs: number;
  readonly lookFirst: string;
}

/** Lines of the end frame given to what needs attention: with the summary it fits a 24-row terminal. */
const ATTENTION_ROWS = 12;

export function SummaryView({ attention = [], summary, durationMs, lookFirst }: SummaryViewProps): React.JSX.Element {
  const tint = useTint();
  const bad = summary.fail > 0 || summary.error > 0;
  const shown = attention.length > ATTENTION_ROWS ? attention.slice(0, ATTENTION_ROWS - 1) : attention;
  return (
    <Box flexDirection="column" marginTop={1}>
      {shown.length > 0 ? <Text bold>needs attention:</Text> : null}
      {shown.map((c) => (
        <Text key={c.id} wrap="truncate-end">
          <Text color={tint(verdictColor(c.verdict))} bold>{`  ${VERDICT_TAG[c.verdict].padEnd(5)} `}</Text>
          <Text bold>{c.id}</Text>
          {`  ${c.hint ?? c.observed ?? c.title}`}
        </Text>
      ))}
      {shown.length < attention.length ? <Text dimColor>{`  … and ${attention.length - shown.length} more above`}</Text> : null}
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
