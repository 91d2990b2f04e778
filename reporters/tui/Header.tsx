import { Text } from 'ink';
import type { Report } from '../../src/model.js';
import { formatTarget } from '../plain.js';

export interface HeaderProps {
  readonly target?: Report['target'];
  readonly checkCount?: number;
  /** --from-snapshot: whose facts, gathered when. */
  readonly replay?: { readonly file: string; readonly gatheredAt: string };
}

export function Header({ target, checkCount, replay }: HeaderProps): React.JSX.Element {
  return (
    <Text>
      <Text bold>milvus-l7-doctor</Text>
      {replay ? <Text bold>{` · replaying ${replay.file} (facts gathered ${replay.gatheredAt}, not now)`}</Text> : null}
      <Text dimColor>{checkCount !== undefined ? ` · ${checkCount} checks` : ''}</Text>
      {target ? ` · ${formatTarget(target)}` : ''}
    </Text>
  );
}
