import { Text } from 'ink';
import type { Report } from '../../src/model.js';
import { formatTarget } from '../plain.js';

export interface HeaderProps {
  readonly target?: Report['target'];
  readonly checkCount?: number;
}

export function Header({ target, checkCount }: HeaderProps): React.JSX.Element {
  return (
    <Text>
      <Text bold>milvus-l7-doctor</Text>
      <Text dimColor>{checkCount !== undefined ? ` · ${checkCount} checks` : ''}</Text>
      {target ? ` · ${formatTarget(target)}` : ''}
    </Text>
  );
}
