import { Box, Text } from 'ink';
import { AreaHeading } from './AreaHeading.js';
import { CheckRow } from './CheckRow.js';
import { GatherSummary } from './GatherSummary.js';
import { Header } from './Header.js';
import type { FinishedItem } from './state.js';

export interface FinishedItemViewProps {
  readonly item: FinishedItem;
}

export function FinishedItemView({ item }: FinishedItemViewProps): React.JSX.Element | null {
  switch (item.kind) {
    case 'header':
      return <Header target={item.target} checkCount={item.checkCount} {...(item.replay ? { replay: item.replay } : {})} />;
    case 'gather':
      return <GatherSummary steps={item.steps} />;
    case 'area':
      return <AreaHeading area={item.area} continued={item.continued} />;
    case 'check':
      return <CheckRow check={item.check} />;
    case 'folded':
      return (
        <Box paddingLeft={2}>
          <Text dimColor>{`- SKIP ${item.text}`}</Text>
        </Box>
      );
  }
}
