import { Component, type ErrorInfo, type ReactNode } from "react";

interface Props {
  children: ReactNode;
  /** What broke, for the heading: "the API keys tab". */
  where: string;
}

interface State {
  error: Error | null;
}

/** No blank screens: a component that throws is replaced by a message and a way to try again. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`Error in ${this.props.where}:`, error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div role="alert" className="panel problem">
        <h2>Something went wrong in {this.props.where}</h2>
        <p>The rest of the page still works. Nothing you typed in other forms has been lost.</p>
        <p className="muted">{this.state.error.message}</p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
