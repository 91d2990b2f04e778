import { Box, Text } from 'ink';
import type { CheckResult } from '../../src/model.js';
import { VERDICT_SYMBOL, VERDICT_TAG, formatBlockedDetail, formatDuration } from '../presentation.js';
import { useTint, verdictColor } from './theme.js';

export interface CheckRowProps {
  readonly check: CheckResult;
}

/** One finished check; a finding also shows what was observed and the hint, the rest is in the reports. */
export function CheckRow({ check }: CheckRowProps): React.JSX.Element {
  const tint = useTint();
  const color = tint(verdictColor(check.verdict));
  const detail: [string, string][] = [];
  // A finding carries what plain output shows; a blocked check is one line naming what blocks it.
  const finding = check.verdict === 'fail' || check.verdict === 'warn' || check.verdict === 'error';
  if (finding) {
    if (check.expected) detail.push(['expected', check.expected]);
    if (check.observed) detail.push(['observed', check.observed]);
    if (check.hint) detail.push(['hint', check.hint]);
    if (check.fix) detail.push(['fix', check.fix.replace(/\s+$/, '')]);
    if (check.docs) detail.push(['docs', `${check.docs}  (or: milvus-l7-doctor explain ${check.id})`]);
  }
  return (
    <Box flexDirection="column" paddingLeft={2}>
      <Box>
        <Box width={2} flexShrink={0}>
          <Text color={color}>{VERDICT_SYMBOL[check.verdict]}</Text>
        </Box>
        <Box flexShrink={1}>
          <Text>
          {check.verdict === 'pass' ? '' : <Text color={color} bold>{`${VERDICT_TAG[check.verdict]} `}</Text>}
          <Text bold>{check.id}</Text>
          {`  ${check.title}`}
          <Text dimColor>{`  ${formatDuration(check.durationMs)}`}</Text>
          {/* Not applicable is not a finding: its reason stays on the same line, dimmed. */}
          {check.verdict === 'skip' && check.reason ? <Text dimColor>{`  (${check.reason})`}</Text> : null}
          {check.verdict === 'blocked' ? <Text dimColor>{` — ${formatBlockedDetail(check)}`}</Text> : null}
          </Text>
        </Box>
      </Box>
      {detail.map(([label, value]) => (
        <Box key={label} paddingLeft={2}>
          <Box width={10} flexShrink={0}>
            <Text dimColor>{`${label}:`}</Text>
          </Box>
          <Box flexShrink={1}>
            <Text>{value}</Text>
          </Box>
        </Box>
      ))}
    </Box>
  );
}
