import { ColorContext } from './theme.js';
import { ErrorBoundary } from './ErrorBoundary.js';
import { LiveView } from './LiveView.js';
import type { TuiStore } from './state.js';

export interface AppProps {
  readonly store: TuiStore;
  readonly color: boolean;
  readonly onError?: (error: Error) => void;
}

export function App({ store, color, onError }: AppProps): React.JSX.Element {
  return (
    <ColorContext value={color}>
      <ErrorBoundary onError={onError ?? (() => undefined)}>
        <LiveView store={store} />
      </ErrorBoundary>
    </ColorContext>
  );
}
