import { Box, Text } from 'ink';
import type { Area } from '../../src/model.js';

export interface AreaHeadingProps {
  readonly area: Area;
  readonly continued: boolean;
}

export function AreaHeading({ area, continued }: AreaHeadingProps): React.JSX.Element {
  return (
    <Box marginTop={1}>
      <Text bold underline>
        {area}
      </Text>
      {continued ? <Text dimColor> (continued)</Text> : null}
    </Box>
  );
}
