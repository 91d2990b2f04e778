import { Text } from 'ink';
import { Component, type ReactNode } from 'react';

export interface ErrorBoundaryProps {
  readonly children: ReactNode;
  readonly onError: (error: Error) => void;
}

interface ErrorBoundaryState {
  readonly error?: Error;
}

/** A rendering bug must not take the run down: the reporter prints plain output instead. */
export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = {};

  static getDerivedStateFromError(error: Error): ErrorBoundaryState {
    return { error };
  }

  override componentDidCatch(error: Error): void {
    this.props.onError(error);
  }

  override render(): ReactNode {
    if (this.state.error) return <Text>{`live view failed (${this.state.error.message}); results follow as plain text`}</Text>;
    return this.props.children;
  }
}
